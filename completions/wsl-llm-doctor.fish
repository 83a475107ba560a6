# fish completion for wsl-llm-doctor (installed to share/fish/vendor_completions.d).
# Made by `wsl-llm-doctor __completions fish` (scripts/gen-cli-files.sh).
function __wld_ids
    wsl-llm-doctor list 2>/dev/null | string match -r '^[a-z][^ ]*'
end
function _wsl_llm_doctor_formats
    for w in (commandline -opc)[2..-1]
        switch $w
            case list explain rules fit
                string split ' ' 'text json'
                return
        end
    end
    string split ' ' 'text json markdown junit github prometheus sarif'
end
set -l cmds check list explain rules fit record log lint
complete -c wsl-llm-doctor -f -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c wsl-llm-doctor -f -n "__fish_seen_subcommand_from explain" -a "(__wld_ids)"
complete -c wsl-llm-doctor -f -n "__fish_seen_subcommand_from rules" -a "show update"
complete -c wsl-llm-doctor -F -n "__fish_seen_subcommand_from fit"
complete -c wsl-llm-doctor -x -n "__fish_seen_subcommand_from record" -a "(__fish_complete_directories)"
complete -c wsl-llm-doctor -F -n "__fish_seen_subcommand_from log"
complete -c wsl-llm-doctor -F -n "__fish_seen_subcommand_from lint"
complete -c wsl-llm-doctor -l format -x -a "(_wsl_llm_doctor_formats)" -d "the report's format"
complete -c wsl-llm-doctor -l output -r -F -d "write the report to FILE (a file is replaced atomically)"
complete -c wsl-llm-doctor -l for -x -a "llama.cpp ollama llama-cpp-python" -d "markdown as PROJECT's bug template asks (implies --format markdown)"
complete -c wsl-llm-doctor -l only -x -a "(__wld_ids)" -d "run only these checks"
complete -c wsl-llm-doctor -l skip -x -a "(__wld_ids)" -d "skip these checks"
complete -c wsl-llm-doctor -l fail-on -x -a "fail warn" -d "exit 1 on this status or worse (fail)"
complete -c wsl-llm-doctor -l timeout -x -d "deadline of each probe, in seconds (5)"
complete -c wsl-llm-doctor -l root -x -a "(__fish_complete_directories)" -d "examine a recorded host tree instead of this machine"
complete -c wsl-llm-doctor -l rules -r -F -d "judge by these rules instead of the built-in ones"
complete -c wsl-llm-doctor -l facts -r -F -d "judge the facts of a saved JSON report under these rules"
complete -c wsl-llm-doctor -l log -r -F -d "fold a log's findings in and hold its claims to this host"
complete -c wsl-llm-doctor -l kind -x -a "wslconfig wsl-conf unit daemon-json cdi compose" -d "judge every file as this kind, whatever its name"
complete -c wsl-llm-doctor -l redact -d "replace personal values by tokens (markdown, github, record do)"
complete -c wsl-llm-doctor -l no-redact -d "keep personal values"
complete -c wsl-llm-doctor -l model -r -F -d "a model file to check"
complete -c wsl-llm-doctor -l llama-server -r -F -d "the llama.cpp binary to check"
complete -c wsl-llm-doctor -l llama-build -x -a "(__fish_complete_directories)" -d "the llama.cpp build or source tree to check"
complete -c wsl-llm-doctor -l runtime -x -a "llama.cpp ollama python (__fish_complete_directories)" -d "judge only this runtime, or the one under a path"
complete -c wsl-llm-doctor -l vram -x -d "GPU memory to judge against instead of the GPUs'"
complete -c wsl-llm-doctor -l ctx -x -d "context size to fit (8192; 0: the model's trained one)"
complete -c wsl-llm-doctor -l ngl -x -d "layers offloaded to the GPU (all)"
complete -c wsl-llm-doctor -l ctk -x -a "f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1" -d "KV cache type of K (f16)"
complete -c wsl-llm-doctor -l ctv -x -a "f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1" -d "KV cache type of V (f16)"
complete -c wsl-llm-doctor -l parallel -x -d "sequences sharing the KV cache (1)"
complete -c wsl-llm-doctor -l wslconfig -r -F -d "the .wslconfig to check"
complete -c wsl-llm-doctor -l no-interop -d "run no Windows program"
complete -c wsl-llm-doctor -l functional -d "also a CUDA context and a 64 MiB copy on each GPU"
complete -c wsl-llm-doctor -l gpu-cc -x -d "judge llama.arch for these compute capabilities"
complete -c wsl-llm-doctor -l bench-io -d "time each model's reads"
complete -c wsl-llm-doctor -l server -x -d "a llama-server or ollama to ask"
complete -c wsl-llm-doctor -l server-key-file -r -F -d "the servers' API key (else \$LLAMA_API_KEY), never shown"
complete -c wsl-llm-doctor -l offline -d "ask no server"
complete -c wsl-llm-doctor -l compose -r -F -d "a compose file for container.gpu; without one, the current directory's"
complete -c wsl-llm-doctor -l url -x -d "rules update: the bundle to fetch"
complete -c wsl-llm-doctor -l sha256 -x -d "rules update: the bundle's checksum"
complete -c wsl-llm-doctor -s v -l verbose -d "show the evidence and the time of each check"
complete -c wsl-llm-doctor -l no-color -d "no colour"
complete -c wsl-llm-doctor -l version -d "print the version"
complete -c wsl-llm-doctor -s h -l help -d "print this help"
