# syntax=docker/dockerfile:1
#
# The Sharemall server as a small image: a static Go binary (no cgo: SQLite
# is pure Go) on distroless "static", which holds CA certificates, time zone
# data and a non-root user, and nothing else (no shell, no package manager).
#
#   docker build -t sharemall .
#   docker run --rm -p 127.0.0.1:8080:8080 -v sharemall-data:/data sharemall demo --addr :8080
#
# compose.yaml runs it on PostgreSQL.

# The Go version of go.mod.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
# CGO_ENABLED=0: a static binary that runs without a C library.
# timetzdata: time zone data inside the binary too, whatever the base image.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -tags timetzdata -ldflags='-s -w' -o /out/sharemall ./cmd/sharemall \
	&& mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sharemall /sharemall
# The embedded SQLite database lives here unless --db names PostgreSQL.
COPY --from=build --chown=65532:65532 /out/data /data
ENV SHAREMALL_DATA=/data \
    SHAREMALL_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
# distroless's "nonroot" user (uid 65532).
USER 65532:65532
ENTRYPOINT ["/sharemall"]
CMD ["serve"]
