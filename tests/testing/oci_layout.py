#!/usr/bin/python3
# Writes a small OCI image layout for registry tests (stdlib only).
#   oci_layout.py OUT TAG SEED SIZE [SIZE...]
# One gzip layer per SIZE, each a tar holding one file of SIZE pseudo-random
# bytes from SEED (so the layers do not compress and are the same for the
# same SEED and SIZE), an image config, one manifest named TAG in
# index.json (with OCI_INDEX=1 in the environment: an image index of an
# amd64 and an arm64 manifest sharing the layers). Prints its digest.
import gzip, hashlib, io, json, os, random, sys, tarfile

out, tag, seed, sizes = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]]


def blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = os.path.join(out, "blobs", "sha256", digest[7:])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}


layers, diff_ids = [], []
for n, size in enumerate(sizes):
    rng = random.Random(f"{seed}/{n}/{size}")
    payload = rng.randbytes(size)
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo(f"layer{n}.bin")
        info.size, info.mode, info.mtime = size, 0o644, 0
        t.addfile(info, io.BytesIO(payload))
    raw = tar.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **blob(gzip.compress(raw, 1, mtime=0))})


def image(arch):
    config = {"architecture": arch, "os": "linux", "config": {"Cmd": ["/layer0.bin"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "created": "1970-01-01T00:00:00Z"}
    cdesc = {"mediaType": "application/vnd.oci.image.config.v1+json",
             **blob(json.dumps(config, separators=(",", ":"), sort_keys=True).encode())}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": cdesc, "layers": layers}, separators=(",", ":")).encode()
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", **blob(manifest),
            "platform": {"architecture": arch, "os": "linux"}}


if os.environ.get("OCI_INDEX"):  # a multi-platform image: an index of amd64 and arm64 manifests
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [image("amd64"), image("arm64")]}, separators=(",", ":")).encode()
    mdesc = {"mediaType": "application/vnd.oci.image.index.v1+json", **blob(index)}
else:
    mdesc = image("amd64")
    del mdesc["platform"]
mdesc["annotations"] = {"org.opencontainers.image.ref.name": tag}
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [mdesc]}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
print(mdesc["digest"])
