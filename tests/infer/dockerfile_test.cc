#include "infer/dockerfile.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace wharf::infer {
namespace {

struct Read {
  DockerfileSources sources;
  std::vector<std::string> warnings;
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& source : sources.sources) out.push_back(source.path);
    return out;
  }
};

Read read(std::string_view text, std::map<std::string, std::string> args = {}) {
  Warnings warnings;
  Read out;
  out.sources = read_dockerfile(text, "svc/Dockerfile", args, warnings);
  out.warnings = warnings.take();
  return out;
}

using Paths = std::vector<std::string>;

TEST(InferDockerfileTest, CopyAndAddSourcesRelativeToTheContext) {
  Read r = read(
      "FROM node:20\n"
      "WORKDIR /app\n"
      "COPY package.json ./\n"
      "copy --chown=node:node src/ ./src/\n"
      "ADD ./static/*.css /public/\n"
      "COPY [\"config/app.json\", \"lib\", \"/etc/\"]\n"
      "COPY /abs/from-context.txt .\n");
  EXPECT_EQ(r.paths(), (Paths{"package.json", "src", "static/*.css", "config/app.json", "lib", "abs/from-context.txt"}));
  EXPECT_FALSE(r.sources.whole_context);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.sources.sources[1].line, 4);
}

TEST(InferDockerfileTest, MultiStageFromAndUrlsAreNotSources) {
  Read r = read(
      "FROM golang:1.22 AS build\n"
      "COPY go.mod go.sum ./\n"
      "COPY cmd cmd\n"
      "FROM gcr.io/distroless/base\n"
      "COPY --from=build /out/app /app\n"
      "COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/\n"
      "ADD https://example.com/tool.tar.gz /tmp/\n"
      "ADD git@github.com:acme/repo.git /src\n"
      "ADD --checksum=sha256:abc vendor.tar /vendor/\n");
  EXPECT_EQ(r.paths(), (Paths{"go.mod", "go.sum", "cmd", "vendor.tar"}));
}

TEST(InferDockerfileTest, ArgAndEnvSubstitutionWithDefaults) {
  Read r = read(
      "ARG APP=web\n"
      "ARG BASE=node\n"
      "FROM ${BASE}:20 AS base\n"
      "ARG APP\n"
      "ARG FLAVOUR=prod\n"
      "ENV CONFIG_DIR=config/$FLAVOUR LEGACY_UNUSED=1\n"
      "ENV OLDSTYLE assets\n"
      "COPY apps/${APP}/ ./\n"
      "COPY ${CONFIG_DIR}/*.yaml ./\n"
      "COPY ${MISSING:-fallback} ${OLDSTYLE} ./\n"
      "COPY '$NOT_A_VAR' \\$LITERAL ./\n"
      "FROM base AS final\n"
      "COPY $CONFIG_DIR/extra ./\n");
  EXPECT_EQ(r.paths(), (Paths{"apps/web", "config/prod/*.yaml", "fallback", "assets", "$NOT_A_VAR", "$LITERAL",
                              "config/prod/extra"}));
  EXPECT_FALSE(r.sources.whole_context);
}

TEST(InferDockerfileTest, BuildArgsOverrideDefaults) {
  Read r = read("FROM x\nARG SERVICE=none\nCOPY services/${SERVICE} ./\n", {{"SERVICE", "cart"}});
  EXPECT_EQ(r.paths(), (Paths{"services/cart"}));
}

TEST(InferDockerfileTest, AVariableWithoutValueFallsBackToTheWholeContext) {
  Read r = read("FROM x\nARG SERVICE\nCOPY package.json ./\nCOPY services/$SERVICE ./\n");
  EXPECT_TRUE(r.sources.whole_context);
  EXPECT_EQ(r.paths(), (Paths{"package.json"}));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("svc/Dockerfile:4:"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("SERVICE"), std::string::npos) << r.warnings[0];
}

TEST(InferDockerfileTest, ContinuationsCommentsInsideThemAndHeredocs) {
  Read r = read(
      "FROM alpine\n"
      "COPY a \\\n"
      "  # a comment inside the continuation\n"
      "\n"
      "  b \\\n"
      "  /dst/\n"
      "RUN <<EOF\n"
      "COPY not-an-instruction /x\n"
      "EOF\n"
      "COPY <<-'END' /etc/conf\n"
      "\tCOPY also-not /y\n"
      "\tEND\n"
      "UNKNOWNINSTRUCTION whatever\n"
      "COPY c /dst/\n");
  EXPECT_EQ(r.paths(), (Paths{"a", "b", "c"}));
  EXPECT_EQ(r.sources.sources[2].line, 14);
}

TEST(InferDockerfileTest, EscapeDirectiveChangesTheContinuationCharacter) {
  Read r = read(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows/servercore\n"
      "COPY app\\bin `\n"
      "     C:\\app\\\n"
      "COPY `$HOME x\n");
  // The backslash is an ordinary character now; the backtick continues.
  ASSERT_EQ(r.sources.sources.size(), 2u);
  EXPECT_EQ(r.sources.sources[0].path, "app\\bin");
  EXPECT_EQ(r.sources.sources[1].path, "$HOME");
}

TEST(InferDockerfileTest, SourcesLeavingTheContextAreWarnings) {
  Read r = read("FROM x\nCOPY ../outside ./\nCOPY . .\n");
  EXPECT_EQ(r.paths(), (Paths{""}));  // "." is the whole context
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("svc/Dockerfile:2:"), std::string::npos);
}

}  // namespace
}  // namespace wharf::infer
