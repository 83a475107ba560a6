# bash completion for wsl-llm-doctor (installed to share/bash-completion/completions).
_wsl_llm_doctor_ids() {
    wsl-llm-doctor list 2>/dev/null | awk '/^[a-z]/ {print $1}'
}

_wsl_llm_doctor() {
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
    }
    case $prev in
    --only | --skip | explain)
        local IFS=,
        COMPREPLY=($(compgen -W "$(_wsl_llm_doctor_ids | tr '\n' ',')" -- "${cur##*,}"))
        return ;;
    --format) COMPREPLY=($(compgen -W "text json markdown junit github prometheus sarif" -- "$cur")); return ;;
    --fail-on) COMPREPLY=($(compgen -W "fail warn" -- "$cur")); return ;;
    --kind) COMPREPLY=($(compgen -W "wslconfig wsl-conf unit daemon-json cdi compose" -- "$cur")); return ;;
    --runtime) COMPREPLY=($(compgen -W "llama.cpp ollama python" -- "$cur") $(compgen -d -- "$cur")); return ;;
    --ctk | --ctv)
        COMPREPLY=($(compgen -W "f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1" -- "$cur"))
        return ;;
    --root | --llama-build | record) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --rules | --facts | --log | --model | --compose | --llama-server | --wslconfig | --output | --server-key-file | fit | log | lint)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --timeout | --gpu-cc | --ctx | --ngl | --parallel | --vram | --url | --sha256 | --server) return ;;
    rules) COMPREPLY=($(compgen -W "show update" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--only --skip --format --root --rules --facts --log --fail-on --timeout
            --model --compose --llama-server --llama-build --gpu-cc --wslconfig --ctx --ngl --ctk --ctv
            --parallel --vram --bench-io --functional --verbose --no-color --version --help
            --output --redact --no-redact --no-interop --url --sha256 --server --server-key-file --offline --kind --runtime"
            -- "$cur"))
    else
        COMPREPLY=($(compgen -W "check list explain rules fit record log lint" -- "$cur"))
    fi
}
complete -F _wsl_llm_doctor wsl-llm-doctor
