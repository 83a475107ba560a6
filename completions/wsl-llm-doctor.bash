# bash completion for wsl-llm-doctor (installed to share/bash-completion/completions).
# Made by `wsl-llm-doctor __completions bash` (scripts/gen-cli-files.sh).
_wsl_llm_doctor_ids() {
    wsl-llm-doctor list 2>/dev/null | awk '/^[a-z]/ {print $1}'
}

_wsl_llm_doctor_formats() {
    local w
    for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case $w in
        list|explain|rules|fit) echo "text json"; return ;;
        esac
    done
    echo "text json markdown junit github prometheus sarif"
}

_wsl_llm_doctor() {
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
    }
    case $prev in
    --format) COMPREPLY=($(compgen -W "$(_wsl_llm_doctor_formats)" -- "$cur")); return ;;
    --output | --rules | --facts | --log | --model | --llama-server | --wslconfig | --server-key-file | --compose | fit | log | lint) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --for) COMPREPLY=($(compgen -W "llama.cpp ollama llama-cpp-python" -- "$cur")); return ;;
    --only | --skip | explain)
        local IFS=,
        COMPREPLY=($(compgen -W "$(_wsl_llm_doctor_ids | tr '\n' ',')" -- "${cur##*,}"))
        return ;;
    --fail-on) COMPREPLY=($(compgen -W "fail warn" -- "$cur")); return ;;
    --timeout | --vram | --ctx | --ngl | --parallel | --gpu-cc | --server | --url | --sha256) return ;;
    --root | --llama-build | record) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --kind) COMPREPLY=($(compgen -W "wslconfig wsl-conf unit daemon-json cdi compose" -- "$cur")); return ;;
    --runtime) COMPREPLY=($(compgen -W "llama.cpp ollama python" -- "$cur") $(compgen -d -- "$cur")); return ;;
    --ctk | --ctv) COMPREPLY=($(compgen -W "f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1" -- "$cur")); return ;;
    rules) COMPREPLY=($(compgen -W "show update" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--format --output --for --only --skip --fail-on --timeout --root
            --rules --facts --log --kind --redact --no-redact --model --llama-server
            --llama-build --runtime --vram --ctx --ngl --ctk --ctv --parallel --wslconfig
            --no-interop --functional --gpu-cc --bench-io --server --server-key-file --offline
            --compose --url --sha256 --verbose --no-color --version --help" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "check list explain rules fit record log lint" -- "$cur"))
    fi
}
complete -F _wsl_llm_doctor wsl-llm-doctor
