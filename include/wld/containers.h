/* The container engines on this host and the GPU plumbing between them and the driver:
 * Docker Desktop's WSL integration, a Docker Engine in the distro and its daemon.json,
 * Podman, the NVIDIA Container Toolkit and its config, and the CDI specs with every path
 * they name checked now. Read from files, links and sockets as they are: nothing here
 * starts a container; the one program run is the toolkit's, for its version (container.gpu's
 * facts). */
#ifndef WLD_CONTAINERS_H
#define WLD_CONTAINERS_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* CDI specs read, at most, and the paths looked at in each */
#define WLD_CDI_SPECS_MAX 32
#define WLD_CDI_PATHS_MAX 512

/* Fills out (an object):
 *   docker     {path, target (links followed), desktop (the CLI is Docker Desktop's)} when
 *              a docker CLI is on PATH
 *   desktop    true when Docker Desktop's WSL integration is mounted (/mnt/wsl/docker-desktop)
 *   dockerd    path of a Docker Engine daemon in this distro; docker_unit {path, enabled}
 *   podman     {path, target, cdi_spec_dirs {from (the containers.conf that sets it), dirs}}
 *              when Podman is on PATH
 *   sockets    [{path, kind (wld_node_kind_name), target when a link, for ("docker" |
 *              "podman"), rootless}] that exist: /var/run/docker.sock, DOCKER_HOST's,
 *              $XDG_RUNTIME_DIR's docker.sock and podman/podman.sock, /run/podman
 *   docker_host_scheme  "tcp", "ssh": DOCKER_HOST names an engine elsewhere (its address
 *              is not kept)
 *   daemon_json  {path, error | runtimes {name: path}, default_runtime, cdi (features.cdi),
 *              cdi_spec_dirs ("cdi-spec-dirs")}
 *   toolkit    {hook, ctk, cli, runtime: paths of nvidia-container-runtime-hook, nvidia-ctk,
 *              nvidia-container-cli, nvidia-container-runtime on PATH; config {path, mode};
 *              version and version_run {state, program, ...}: `nvidia-ctk --version`, else
 *              `nvidia-container-cli --version`, run once within timeout_ms}
 *   cdi        the specs in /etc/cdi, /var/run/cdi, Podman's and dockerd's cdi_spec_dirs: [{file,
 * error | kind, devices [names], paths (count looked at), missing
 *              [{path, what ("device" | "mount" | "hook")}], stale_store [the folders of
 *              /usr/lib/wsl/drivers the spec names that are gone]}] (what the driver store
 *              holds now is gpu.wsl-libs' driver_stores)
 *   api        the Docker API on the first docker socket, within timeout_ms in all (GET
 *              /info, /containers/json, /containers/ID/json for at most 16): {socket,
 *              error (errno name), status, message | info {operating_system,
 *              server_version, kernel_version, default_runtime, runtimes [names]},
 *              containers [{id (12 hex), name, image, gpu, runtime, env {NVIDIA_VISIBLE_DEVICES,
 *              CUDA_VISIBLE_DEVICES, CUDA_VERSION, NVIDIA_REQUIRE_CUDA}, mounts_9p [{source,
 *              destination}]} | {error, ...}], containers_not_read} */
void wld_containers_gather(const struct wld_host *h, double timeout_ms, cJSON *out);

/* out.compose: [{file, error | services (wld_compose_read's, problems included)}] for each
 * of files (NULL-terminated, or NULL; 8 at most), read through the host. */
void wld_containers_compose(const struct wld_host *h, char *const *files, cJSON *out);

#endif
