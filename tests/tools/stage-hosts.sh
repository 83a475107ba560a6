#!/bin/sh
# Stages the fixture hosts for the tests: copies tests/fixtures/hosts to DST and puts a
# built fake over every file whose first line is "#!fake KIND [ARG...]", keeping that text
# beside it as FILE.fake (the fakes read their behaviour there):
#   libcuda, libnvidia-ml  -> FAKE (tests/fake/fake_gpu.c)
#   libcuda-nosym          -> FAKE_NOSYM (the same, missing cuDeviceTotalMem_v2)
#   elf32                  -> a 32-bit ELF header (dlopen: "wrong ELF class")
#   llama                  -> FAKEDIR/llama, a llama-server that replays FILE.fake
#   ggml-cpu               -> FAKEDIR/cpu/libggml.so (no CUDA)
#   ggml-linked            -> FAKEDIR/linked/libggml.so (DT_NEEDED libggml-cuda.so)
#   ggml-base              -> FAKEDIR/pylib/libggml-base.so
#   llama-lib              -> FAKEDIR/pylib/libllama.so (DT_NEEDED libggml.so,
#                             libggml-base.so: llama-cpp-python's llama_cpp/lib/libllama.so)
#   ggml-cuda11, ggml-cuda12, ggml-cuda13 ARCH...
#                          -> FAKEDIR/cudaN/libggml-cuda.so (needs libcudart.so.N and
#                             libcublas.so.N), its .nv_fatbin holding ARCH... (sm_86,
#                             compute_75[@ISA]; tests/fake/fatbin_patch.c)
#   cudart11, cublas11, cudart12, cublas12, cudart13, cublas13
#                          -> FAKEDIR/cudaN/libcudart.so.N (11: .so.11.0), libcublas.so.N
#   llama-shared           -> FAKEDIR/tree/llama, a llama-server of a BUILD_SHARED_LIBS tree
#                             (DT_NEEDED libllama.so, libggml.so)
#   libllama               -> FAKEDIR/tree/libllama.so, that tree's libllama.so (DT_NEEDED
#                             libggml.so)
#   ollama                 -> FAKEDIR/ollama, an ollama binary (llama.cpp linked in) that
#                             replays FILE.fake as the llama-server fake does
#   llama, llama-lib, llama-shared, libllama, ollama take [archs=BUILD] [arch=NAME...]
#   [go=PKG...]: the architecture table of llama.cpp at BUILD in the file's .rodata, and
#   ollama's engine packages in its .gopclntab (FAKEDIR/archtab-patch,
#   tests/fake/archtab_patch.c); without them the file holds no table
#   gguf PRESET [KEY=VALUE...]
#                          -> a model header written by FAKEDIR/gguf-gen, its tensor
#                             data a hole (tests/tools/gguf_gen.c); split=N writes the
#                             shards beside FILE
# usage: stage-hosts.sh SRC DST FAKEDIR FAKE FAKE_NOSYM
set -eu
src=$1 dst=$2 fakedir=$3 fake=$4 nosym=$5
tmp="$dst.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$dst")"
cp -a "$src" "$tmp"
grep -rl '^#!fake ' "$tmp" | while IFS= read -r f; do
    first=$(head -n 1 "$f")
    case "$first" in '#!fake '*) ;; *) continue ;; esac
    kind=$(echo "$first" | cut -d' ' -f2)
    args=$(echo "$first" | cut -d' ' -f3-)
    [ "$args" != "$first" ] || args=
    mv "$f" "$f.fake"
    case "$kind" in
    libcuda | libnvidia-ml) cp "$fake" "$f" ;;
    libcuda-nosym) cp "$nosym" "$f" ;;
    elf32)
        # e_ident: ELF, ELFCLASS32, little-endian, version 1; e_type ET_DYN, e_machine 386.
        { printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'
          printf '\003\000\003\000\001\000\000\000'
          head -c 40 /dev/zero; } >"$f" ;;
    llama) cp "$fakedir/llama" "$f" ;;
    llama-shared) cp "$fakedir/tree/llama" "$f" ;;
    libllama) cp "$fakedir/tree/libllama.so" "$f" ;;
    ollama) cp "$fakedir/ollama" "$f" ;;
    ggml-cpu) cp "$fakedir/cpu/libggml.so" "$f" ;;
    ggml-linked) cp "$fakedir/linked/libggml.so" "$f" ;;
    ggml-base) cp "$fakedir/pylib/libggml-base.so" "$f" ;;
    llama-lib) cp "$fakedir/pylib/libllama.so" "$f" ;;
    ggml-cuda11 | ggml-cuda12 | ggml-cuda13)
        cp "$fakedir/cuda${kind#ggml-cuda}/libggml-cuda.so" "$f"
        # shellcheck disable=SC2086 # ARCH words are meant to split
        "$fakedir/fatbin-patch" "$f" $args ;;
    cudart11 | cublas11 | cudart12 | cublas12 | cudart13 | cublas13)
        v=${kind#cudart}; v=${v#cublas}; lib=${kind%"$v"}
        built="$fakedir/cuda$v/lib$lib.so.$v"
        [ -f "$built" ] || built="$built.0"
        cp "$built" "$f" ;;
    gguf)
        # shellcheck disable=SC2086 # settings are words
        "$fakedir/gguf-gen" "$f" $args ;;
    *) echo "stage-hosts.sh: $f: unknown fake kind '$kind'" >&2; exit 1 ;;
    esac
    case "$kind" in
    llama | llama-lib | llama-shared | libllama | ollama)
        # shellcheck disable=SC2086 # settings are words
        [ -z "$args" ] || "$fakedir/archtab-patch" "$f" $args ;;
    esac
done
rm -rf "$dst"
mv "$tmp" "$dst"
