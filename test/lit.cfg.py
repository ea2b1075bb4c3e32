# lit configuration for Anvil's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Anvil"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "unit", "models"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.anvil_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()
tool_dirs = [os.path.join(config.anvil_obj_root, "bin"), config.llvm_tools_dir]
# A standalone runtime build (make check-sanitizers) has no compiler: the main build's.
compiler_dirs = tool_dirs + ([config.compiler_bin_dir]
                             if getattr(config, "compiler_bin_dir", None) else [])
llvm_config.add_tool_substitutions(["anvil-opt", "anvil-compile"], compiler_dirs)
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment["PATH"]])
# Before lit's own %python (its interpreter): the tests need the venv with onnx.
config.substitutions.insert(0, ("%python", config.python))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Frontend", "onnx", "Inputs")))
config.substitutions.append(("%models", os.path.join(config.anvil_obj_root, "models")))
# The ONNX backend test data (make testdata), for the conformance subset (test/conformance/).
config.substitutions.append(("%testdata", os.path.join(config.anvil_obj_root, "onnx-testdata")))

# Runtime tests (test/Runtime): anvil-run, embed and anvil-runtime-test come from bin/ (of a
# sanitizer build under make check-sanitizers); artifacts are built by hand with the C compiler.
llvm_config.add_tool_substitutions(["anvil-run", "anvil-runtime-test"], tool_dirs)
config.substitutions.append(("%embed", os.path.join(config.anvil_obj_root, "bin", "embed")))
config.substitutions.append(("%artifact", config.python + " " + os.path.join(
    config.test_source_root, "Runtime", "Inputs", "anvil_artifact.py")))
config.substitutions.append(("%cc", getattr(config, "c_compiler", "cc")))
config.environment["CC"] = getattr(config, "c_compiler", "cc")
config.environment["ANVIL_ARTIFACT_CFLAGS"] = getattr(config, "artifact_cflags", "")

# The tuning database tool and the tuner (test/Autotune).
llvm_config.add_tool_substitutions(["anvil-tunedb", "anvil-tune"], tool_dirs)

# The kernel benchmark binaries (test/Bench) exist only when bench/'s dependencies were found.
if getattr(config, "anvil_bench", False):
    config.available_features.add("anvil-bench")
