using System.Diagnostics;
using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

/// <summary>
/// The launcher's device choice, run with python3 against a fake <c>torch</c> package on PYTHONPATH and a fake
/// self-contained bundle whose "apphost" is a shell script that reports what it was given.
/// </summary>
public sealed class LauncherDeviceTests : IDisposable
{
    private readonly TempDirectory _dir = new("launcher-device");

    private static readonly StageConfig Config = new()
    {
        Pipeline = "severstal",
        Stage = "seg1",
        Entry = "segment",
        ContentKey = new string('7', 64),
        Epochs = 1,
        Params = new Dictionary<string, string>(),
        Inputs = [],
        TrainerHash = new string('9', 64),
        SteelciVersion = "0.1.0",
    };

    public void Dispose() => _dir.Dispose();

    /// <summary>A torch package as the Kaggle image has it: version, CUDA build, GPUs, and lib/ with libtorch.</summary>
    private string FakeTorch(string version, string? cuda = "12.8", int gpus = 2)
    {
        var root = _dir.Combine($"torch-{version}-{cuda}-{gpus}");
        _dir.Write(Path.Combine(Path.GetFileName(root), "torch", "__init__.py"), $$"""
            __version__ = "{{version}}"
            class version:
                cuda = {{(cuda is null ? "None" : $"\"{cuda}\"")}}
            class cuda:
                @staticmethod
                def is_available():
                    return {{(gpus > 0 ? "True" : "False")}}
                @staticmethod
                def device_count():
                    return {{gpus}}
                @staticmethod
                def get_device_name(i):
                    return "Tesla T4"
            """);
        foreach (var lib in new[] { "libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so", "libc10.so" })
            _dir.Write(Path.Combine(Path.GetFileName(root), "torch", "lib", lib), "image");
        return root;
    }

    private const string RuntimeKernel = "steelci-libtorch-2-10-0-cu128-0123456789ab";

    private static KernelSpec Spec(string accelerator, string? runtimeMount, DeviceRules? device = null) => new()
    {
        Slug = "severstal-seg1-77777777-a1-abcde",
        Stage = Config,
        BundleMount = "steelci-trainer-999999999999",
        SessionSeconds = 3600,
        Mounts = [
            new KernelMount { Name = "steelci-trainer-999999999999", AttachedAs = "steelci-trainer-999999999999" },
            .. runtimeMount is null ? Array.Empty<KernelMount>() : [new KernelMount { Name = runtimeMount, AttachedAs = RuntimeKernel, KernelOutput = true }],
        ],
        Device = (device ?? new DeviceRules { Accelerator = accelerator }) with { Accelerator = accelerator, RuntimeMount = runtimeMount },
    };

    /// <summary>The pinned runtime as the one-off kernel leaves it, mounted like a kernel's output: steelci-runtime.json and lib/.</summary>
    private void StandInRuntime(string libtorch)
    {
        var root = $"input/{RuntimeKernel}/";
        _dir.Write(root + "steelci-runtime.json", $$"""{"format":"steelci.runtime/1","libtorch":"{{libtorch}}","torch":"{{libtorch}}+cu128","cuda":"12.8","lib":"lib"}""");
        foreach (var lib in new[] { "libtorch.so", "libtorch_cuda.so", "libc10.so", "libcudnn.so.9" })
            _dir.Write(root + "lib/" + lib, "pinned");
    }

    /// <summary>A folder with an nvidia-smi that lists two T4s, for a session whose image has no usable torch.</summary>
    private string FakeNvidiaSmi()
    {
        var smi = _dir.Write("smi/nvidia-smi", "#!/bin/sh\necho 'GPU 0: Tesla T4 (UUID: GPU-1)'\necho 'GPU 1: Tesla T4 (UUID: GPU-2)'\n");
        File.SetUnixFileMode(smi, (UnixFileMode)0b111_101_101);
        return Path.GetDirectoryName(smi)!;
    }

    private (int ExitCode, string Output) RunLauncher(string accelerator, string? torchPath, bool kaggle, bool unpacked = false,
        string? runtimeMount = null, string? path = null, DeviceRules? device = null)
    {
        var input = _dir.Combine("input");
        if (unpacked)
        {
            // As Kaggle mounts a bundle it unpacked from archive.zip: read-only files, no execute bits anywhere.
            input = _dir.Combine("input-unpacked");
            var root = "input-unpacked/steelci-trainer-999999999999/";
            _dir.Write(root + "steelci-bundle.json",
                """{"format":"steelci.bundle/1","runtime":"self-contained","entry":"Trainer.dll","apphost":"Trainer","hash":"9999999999999999","executables":["Trainer","tools/helper"]}""");
            _dir.Write(root + "tools/helper", "#!/bin/sh\necho \"helper ran\"\n");
            _dir.Write(root + "tools/data.txt", "not a program");
            _dir.Write(root + "Trainer", """
                #!/bin/sh
                "$(dirname "$0")/tools/helper"
                echo "data mode=$(stat -c %a "$(dirname "$0")/tools/data.txt")"
                echo "STEELCI-END status=complete manifest-sha256=none"
                """);
            foreach (var file in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        var bundle = Path.Combine(input, "steelci-trainer-999999999999");
        if (!unpacked && !Directory.Exists(bundle))
        {
            _dir.Write("input/steelci-trainer-999999999999/steelci-bundle.json",
                """{"format":"steelci.bundle/1","runtime":"self-contained","entry":"Trainer.dll","apphost":"Trainer","hash":"9999999999999999"}""");
            _dir.Write("input/steelci-trainer-999999999999/Trainer.deps.json",
                """{"libraries":{"TorchSharp/0.107.0":{},"libtorch-cpu-linux-x64/2.10.0":{}}}""");
            foreach (var lib in new[] { "libtorch.so", "libtorch_cpu.so", "libc10.so", "libLibTorchSharp.so.txt" })
                _dir.Write($"input/steelci-trainer-999999999999/{lib}", "bundle");
            _dir.Write("input/steelci-trainer-999999999999/Trainer", """
                #!/bin/sh
                echo "device=$STEELCI_DEVICE"
                echo "ld=$LD_LIBRARY_PATH"
                echo "files=$(ls "$(dirname "$0")" | tr '\n' ' ')"
                echo "STEELCI-END status=complete manifest-sha256=none"
                """);
            File.SetUnixFileMode(Path.Combine(bundle, "Trainer"), (UnixFileMode)0b111_101_101);
        }
        var launcher = _dir.Write($"launcher-{accelerator}.py",
            LauncherScript.Render(Spec(accelerator, runtimeMount, device)));
        var scratch = Directory.CreateDirectory(_dir.Combine("scratch", Guid.NewGuid().ToString("N"))).FullName;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(launcher);
        start.Environment["STEELCI_INPUT_ROOT"] = input;
        start.Environment["STEELCI_WORKING_DIR"] = _dir.Combine("working");
        start.Environment["STEELCI_SCRATCH_DIR"] = scratch;
        start.Environment["PYTHONPATH"] = torchPath ?? _dir.Combine("no-torch-here");
        start.Environment["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64";
        if (path is not null)
            start.Environment["PATH"] = path + ":" + Environment.GetEnvironmentVariable("PATH");
        if (kaggle)
            start.Environment["KAGGLE_KERNEL_RUN_TYPE"] = "Batch";
        else
            start.Environment.Remove("KAGGLE_KERNEL_RUN_TYPE");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    [Fact]
    public void A_matching_cuda_torch_gives_cuda_through_the_images_own_libraries()
    {
        var torch = FakeTorch("2.10.0+cu128");

        var (code, output) = RunLauncher("gpu", torch, kaggle: true);

        Assert.True(code == 0, output);
        Assert.Contains("device cuda (rung a): torch 2.10.0+cu128 (CUDA 12.8) matches libtorch 2.10.0; 2 GPU(s) Tesla T4, Tesla T4", output);
        Assert.Contains("device=cuda", output);
        Assert.Contains($"ld={Path.Combine(torch, "torch", "lib")}:/usr/local/cuda/lib64", output);
        // The bundle's own copies of the image's libraries are gone from the private copy; the rest stays.
        var files = output.Split('\n').Single(l => l.StartsWith("files=", StringComparison.Ordinal));
        Assert.DoesNotContain("libtorch.so ", files);
        Assert.DoesNotContain("libc10.so ", files);
        Assert.Contains("libLibTorchSharp.so.txt", files);
        Assert.Contains("Trainer.deps.json", files);
        Assert.True(File.Exists(_dir.Combine("input", "steelci-trainer-999999999999", "libtorch.so")), "the mounted bundle is never changed");
    }

    [Theory]
    [InlineData("2.11.0+cu128", "12.8", 2, "the image's torch is 2.11.0+cu128, but TorchSharp binds libtorch 2.10.0")]
    [InlineData("2.10.0+cpu", null, 0, "is a CPU build")]
    [InlineData("2.10.0+cu128", "12.8", 0, "sees no GPU")]
    [InlineData(null, null, 0, "the image's torch cannot be imported (ModuleNotFoundError")]
    public void On_kaggle_a_gpu_stage_without_usable_cuda_fails_clearly(string? version, string? cuda, int gpus, string why)
    {
        var torch = version is null ? null : FakeTorch(version, cuda, gpus);

        var (code, output) = RunLauncher("gpu", torch, kaggle: true);

        Assert.Equal(2, code);
        Assert.Contains("stage seg1 needs a GPU (accelerator: gpu) but cannot use one: ", output);
        Assert.Contains(why, output);
        Assert.Contains("set accelerator: cpu for this stage to allow the CPU", output);
        Assert.EndsWith("STEELCI-END status=failed manifest-sha256=none", output.TrimEnd());
        Assert.DoesNotContain("device=", output); // the trainer never started
    }

    [Fact]
    public void A_cpu_stage_runs_on_the_cpu_without_touching_torch()
    {
        var (code, output) = RunLauncher("cpu", FakeTorch("2.11.0+cu128"), kaggle: true);

        Assert.True(code == 0, output);
        Assert.Contains("device cpu (rung c): the stage's accelerator is cpu", output);
        Assert.Contains("device=cpu", output);
        Assert.Contains("ld=/usr/local/cuda/lib64", output);
    }

    [Fact]
    public void Off_kaggle_a_gpu_stage_rehearses_on_the_cpu()
    {
        var (code, output) = RunLauncher("gpu", FakeTorch("2.11.0+cu128"), kaggle: false);

        Assert.True(code == 0, output);
        Assert.Contains("device cpu (rung c): not on Kaggle, so this gpu stage runs on the CPU here (the image's torch is 2.11.0+cu128", output);
        Assert.Contains("device=cpu", output);
    }

    [Fact]
    public void A_bundle_unpacked_without_modes_gets_back_the_execute_bits_it_was_published_with()
    {
        var (code, output) = RunLauncher("cpu", null, kaggle: false, unpacked: true);

        Assert.True(code == 0, output);
        Assert.Contains("restored the execute bit of 2 file(s) of the bundle", output);
        Assert.Contains("helper ran", output);
        Assert.Contains("data mode=644", output); // only what was executable becomes so
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(_dir.Combine("input-unpacked", "steelci-trainer-999999999999", "Trainer"))); // the mount is not changed
    }

    [Fact]
    public void Rung_b_a_drifted_image_uses_the_pinned_cuda_runtime_when_it_holds_the_bound_libtorch()
    {
        StandInRuntime("2.10.0");

        var (code, output) = RunLauncher("gpu", FakeTorch("2.11.0+cu128"), kaggle: true, runtimeMount: "steelci-cuda-runtime");

        Assert.True(code == 0, output);
        Assert.Contains("device cuda (rung b): the pinned CUDA runtime: libtorch 2.10.0 (CUDA 12.8) matches libtorch 2.10.0 " +
                        "(the image's torch is 2.11.0+cu128, but TorchSharp binds libtorch 2.10.0); 2 GPU(s) Tesla T4, Tesla T4", output);
        Assert.Contains("device=cuda", output);
        Assert.Contains($"ld={_dir.Combine("input", RuntimeKernel, "lib")}:/usr/local/cuda/lib64", output);
        var files = output.Split('\n').Single(l => l.StartsWith("files=", StringComparison.Ordinal));
        Assert.DoesNotContain("libtorch.so ", files); // the runtime's copy is loaded, not the bundle's
        Assert.Contains("libtorch_cpu.so", files); // the runtime has none: the bundle's stays
    }

    [Fact]
    public void Rung_b_without_torch_in_the_image_counts_the_gpus_with_nvidia_smi()
    {
        StandInRuntime("2.10.0");

        var (code, output) = RunLauncher("gpu", null, kaggle: true, runtimeMount: "steelci-cuda-runtime", path: FakeNvidiaSmi());

        Assert.True(code == 0, output);
        Assert.Contains("device cuda (rung b): the pinned CUDA runtime: libtorch 2.10.0", output);
        Assert.Contains("(the image's torch cannot be imported (ModuleNotFoundError", output);
        Assert.Contains("2 GPU(s) Tesla T4, Tesla T4", output);
    }

    [Fact]
    public void Rung_d_a_pinned_runtime_of_another_version_fails_naming_every_version()
    {
        StandInRuntime("2.11.0");

        var (code, output) = RunLauncher("gpu", FakeTorch("2.11.0+cu128"), kaggle: true, runtimeMount: "steelci-cuda-runtime");

        Assert.Equal(2, code);
        Assert.Contains("the image's torch is 2.11.0+cu128, but TorchSharp binds libtorch 2.10.0; " +
                        "the pinned CUDA runtime holds libtorch 2.11.0, not 2.10.0", output);
        Assert.Contains("TorchSharp binds libtorch 2.10.0 (CUDA 12.8); the image's torch is 2.11.0+cu128", output);
        Assert.EndsWith("STEELCI-END status=failed manifest-sha256=none", output.TrimEnd());
    }

    [Fact]
    public void Rung_d_without_a_pinned_runtime_says_how_to_prepare_one()
    {
        var (code, output) = RunLauncher("gpu", FakeTorch("2.11.0+cu128"), kaggle: true);

        Assert.Equal(2, code);
        Assert.Contains("no pinned CUDA runtime is attached (run `steelci kaggle runtime` for this account)", output);
    }

    /// <summary>A libtorch folder as PyTorch's libtorch zip unpacks (build-version, lib/ with libtorch_cuda.so), as a cluster's module has it.</summary>
    private string ClusterLibtorch(string version)
    {
        var root = $"sw/libtorch-{version}/";
        _dir.Write(root + "build-version", version + "\n");
        foreach (var lib in new[] { "libtorch.so", "libtorch_cuda.so", "libc10.so" })
            _dir.Write(root + "lib/" + lib, "cluster");
        return _dir.Combine("sw", $"libtorch-{version}");
    }

    private static readonly Dictionary<string, string> SlurmHints = new()
    {
        ["runtime"] = "stage one with `steelci slurm runtime` into compute.slurm.shared_dir",
        ["fixes"] = "Point compute.slurm.libtorch at a CUDA libtorch of that version.",
        ["fallback"] = "compute.slurm.cpu_fallback is true",
        ["libtorchField"] = "compute.slurm.libtorch",
        ["torchSource"] = "the node's torch (python3)",
    };

    [Fact]
    public void On_a_cluster_a_configured_libtorch_of_the_bound_version_is_rung_a()
    {
        var libtorch = ClusterLibtorch("2.10.0+cu128");

        var (code, output) = RunLauncher("gpu", null, kaggle: false, path: FakeNvidiaSmi(),
            device: new DeviceRules { Accelerator = "gpu", LibtorchPath = libtorch, CpuFallback = false, Hints = SlurmHints });

        Assert.True(code == 0, output);
        Assert.Contains($"device cuda (rung a): torch 2.10.0+cu128 (CUDA 12.8) matches libtorch 2.10.0; 2 GPU(s) Tesla T4, Tesla T4", output);
        Assert.Contains($"ld={Path.Combine(libtorch, "lib")}:/usr/local/cuda/lib64", output);

        // A Python environment instead of a folder: its torch is probed with that interpreter (here python3 with a stand-in torch).
        var torch = FakeTorch("2.10.0+cu128");
        var python = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "python3")).First(File.Exists);
        var (viaPython, probed) = RunLauncher("gpu", torch, kaggle: false,
            device: new DeviceRules { Accelerator = "gpu", LibtorchPath = python, CpuFallback = false, Hints = SlurmHints });
        Assert.True(viaPython == 0, probed);
        Assert.Contains("device cuda (rung a): torch 2.10.0+cu128 (CUDA 12.8) matches libtorch 2.10.0; 2 GPU(s) Tesla T4, Tesla T4", probed);
        Assert.Contains($"ld={Path.Combine(torch, "torch", "lib")}:/usr/local/cuda/lib64", probed);
    }

    [Fact]
    public void On_a_cluster_a_configured_libtorch_of_another_version_is_refused_naming_both_and_cpu_fallback_allows_the_cpu()
    {
        var libtorch = ClusterLibtorch("2.11.0+cu128");
        var rules = new DeviceRules { Accelerator = "gpu", LibtorchPath = libtorch, CpuFallback = true, Hints = SlurmHints };

        var (code, output) = RunLauncher("gpu", FakeTorch("2.10.0+cu128"), kaggle: false, path: FakeNvidiaSmi(), device: rules);

        Assert.True(code == 0, output);
        Assert.Contains($"device cpu (rung c): compute.slurm.cpu_fallback is true, so this gpu stage runs on the CPU (compute.slurm.libtorch {libtorch} is " +
                        "2.11.0+cu128, but TorchSharp binds libtorch 2.10.0; no pinned CUDA runtime is attached (stage one with `steelci slurm runtime`", output);
        Assert.Contains("device=cpu", output);

        var (failed, refused) = RunLauncher("gpu", null, kaggle: false, device: rules with { CpuFallback = false });
        Assert.Equal(2, failed);
        Assert.Contains($"stage seg1 needs a GPU (accelerator: gpu) but cannot use one: compute.slurm.libtorch {libtorch} is 2.11.0+cu128, but TorchSharp binds libtorch 2.10.0", refused);
        Assert.Contains("no pinned CUDA runtime is attached (stage one with `steelci slurm runtime` into compute.slurm.shared_dir)", refused);
        Assert.Contains("Point compute.slurm.libtorch at a CUDA libtorch of that version.", refused);
        Assert.EndsWith("STEELCI-END status=failed manifest-sha256=none", refused.TrimEnd());
    }

    [Fact]
    public void On_a_cluster_a_missing_configured_path_and_a_staged_runtime_take_rung_b()
    {
        StandInRuntime("2.10.0");

        var (code, output) = RunLauncher("gpu", null, kaggle: false, runtimeMount: "steelci-cuda-runtime", path: FakeNvidiaSmi(),
            device: new DeviceRules { Accelerator = "gpu", LibtorchPath = "/sw/nowhere", CpuFallback = false, Hints = SlurmHints });

        Assert.True(code == 0, output);
        Assert.Contains("device cuda (rung b): the pinned CUDA runtime: libtorch 2.10.0 (CUDA 12.8) matches libtorch 2.10.0 " +
                        "(compute.slurm.libtorch /sw/nowhere cannot be used (/sw/nowhere does not exist on this node))", output);
    }
}
