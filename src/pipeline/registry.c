/* The check registry, in report order. A new check is one file in checks/, one line
 * here, one entry in rules/. */
#include "wld/check.h"

extern const struct wld_check wld_check_wsl_platform;
extern const struct wld_check wld_check_wsl_kernel;
extern const struct wld_check wld_check_wsl_wslconfig;
extern const struct wld_check wld_check_wsl_wsl_conf;
extern const struct wld_check wld_check_wsl_interop;
extern const struct wld_check wld_check_gpu_dxg;
extern const struct wld_check wld_check_gpu_driver;
extern const struct wld_check wld_check_gpu_cuda;
extern const struct wld_check wld_check_gpu_pci;
extern const struct wld_check wld_check_gpu_wsl_libs;
extern const struct wld_check wld_check_cuda_toolkit;
extern const struct wld_check wld_check_cuda_libs;
extern const struct wld_check wld_check_llama_build;
extern const struct wld_check wld_check_llama_arch;
extern const struct wld_check wld_check_llama_runtime;
extern const struct wld_check wld_check_llama_devices;
extern const struct wld_check wld_check_models_storage;
extern const struct wld_check wld_check_models_fit;
extern const struct wld_check wld_check_models_runtime;
extern const struct wld_check wld_check_host_memory;
extern const struct wld_check wld_check_service_systemd;
extern const struct wld_check wld_check_server_health;
extern const struct wld_check wld_check_container_gpu;

const struct wld_check *const wld_checks[] = {
    &wld_check_wsl_platform,   &wld_check_wsl_kernel,     &wld_check_wsl_wslconfig,
    &wld_check_wsl_wsl_conf,   &wld_check_wsl_interop,    &wld_check_gpu_dxg,
    &wld_check_gpu_driver,     &wld_check_gpu_cuda,       &wld_check_gpu_pci,
    &wld_check_gpu_wsl_libs,   &wld_check_cuda_toolkit,   &wld_check_cuda_libs,
    &wld_check_llama_build,    &wld_check_llama_arch,     &wld_check_llama_runtime,
    &wld_check_llama_devices,  &wld_check_models_storage, &wld_check_models_fit,
    &wld_check_models_runtime, &wld_check_host_memory,    &wld_check_service_systemd,
    &wld_check_server_health,  &wld_check_container_gpu,
};
const size_t wld_checks_count = sizeof(wld_checks) / sizeof(wld_checks[0]);
