// Shell completion scripts for crilet.
#include "cli/completion.h"

#include <iostream>

namespace crilet::cli {
namespace {

// Subcommands and their flags, as their --help lists them.
constexpr const char* kBash = R"SH(# crilet bash completion: source <(crilet completion bash)
_crilet_pods() {
  crilet get pods -A -o name 2>/dev/null | sed 's|^pod/||'
}
_crilet() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  local commands="run apply delete wait get describe logs exec attach port-forward cp debug validate cri completion version"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    return
  fi
  local flags=""
  case $cmd in
    get) flags="-n --namespace -A --all-namespaces -o --output -l --selector --field-selector --sort-by --no-headers --show-labels --for --server --config -w --watch --watch-only --output-watch-events"
         if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "pods all configmaps secrets pvc events" -- "$cur")); return; fi ;;
    describe) flags="-n --namespace --server --config"
         if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "pod" -- "$cur")); return; fi ;;
    logs) flags="-c --container -f --follow -p --previous --tail --since --since-time --limit-bytes --all-containers --prefix --timestamps -n --namespace --server --config" ;;
    exec) flags="-c --container -i --stdin -t --tty -q --quiet -n --namespace --timeout --server --config" ;;
    attach) flags="-c --container -i --stdin -t --tty -q --quiet -n --namespace --server --config" ;;
    port-forward) flags="--address -n --namespace --server --config" ;;
    cp) flags="-c --container -n --namespace --no-preserve --server --config" ;;
    debug) flags="--image --target -c --container -i --stdin -t --tty -q --quiet -n --namespace --server --config" ;;
    apply) flags="-f --filename --manifest-dir --server --config" ;;
    delete) flags="-f --filename -n --namespace --wait --timeout --manifest-dir --server --config"
         if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "pod configmap secret pvc pv -f" -- "$cur")); return; fi ;;
    wait) flags="--for --timeout -n --namespace --server --config" ;;
    validate) flags="-o --output --hostname-override" ;;
    cri) flags="-r --container-runtime-endpoint -o --output"
         if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "pods ps images inspect inspectp exec logs stop rm stopp rmp pull stats info version" -- "$cur")); return; fi
         case ${COMP_WORDS[2]} in
           stats) flags="$flags -a --all --id -p --pod --label -s --seconds" ;;
           info) flags="$flags -q --quiet" ;;
         esac ;;
    run) flags="--image --restart --env --port --labels --command -n --namespace --dry-run --pod-manifest-path --config --container-runtime-endpoint --root-dir --pod-logs-dir --hostname-override --read-only-port --healthz-port" ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
  esac
  case $prev in
    -f|--filename|--config|--pod-manifest-path|--manifest-dir|--root-dir|--pod-logs-dir) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "wide name json yaml jsonpath= custom-columns=" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    case $cmd in
      describe|logs|exec|attach|port-forward|debug|get|delete) COMPREPLY=($(compgen -W "$(_crilet_pods)" -- "$cur")) ;;
      validate) COMPREPLY=($(compgen -f -- "$cur")) ;;
      wait) COMPREPLY=($(compgen -W "$(_crilet_pods | sed 's|^|pod/|')" -- "$cur")) ;;
    esac
  fi
}
complete -F _crilet crilet
)SH";

}  // namespace

std::string CompletionScript(const std::string& shell) {
  if (shell == "bash") return kBash;
  if (shell == "zsh") return std::string("# crilet zsh completion: source <(crilet completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n") + kBash;
  return "";
}

int CompletionCommand(int argc, char** argv) {
  std::string shell = argc > 1 ? argv[1] : "";
  if (shell == "-h" || shell == "--help") {
    std::cout << "crilet completion bash|zsh: print a completion script (subcommands, flags, pod names).\n"
                 "  source <(crilet completion bash)    # or put it in /etc/bash_completion.d/crilet\n";
    return 0;
  }
  std::string script = CompletionScript(shell);
  if (script.empty()) {
    std::cerr << "crilet completion: shell \"" << shell << "\" is not supported; choose bash or zsh\n";
    return 2;
  }
  std::cout << script;
  return 0;
}

}  // namespace crilet::cli
