using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// GPUs on the cluster (issue 20 item 4) on the real Slurm, whose node has a fake GPU through gres and no CUDA: the real
/// launcher, with the cluster's device rules, in a gpu job. What can be shown honestly here is the ladder's choices
/// and messages: a configured libtorch of another version is refused naming both versions and the stage falls to the
/// CPU when compute.slurm.cpu_fallback allows it; without the fallback, a staged runtime but no visible GPU fails the
/// job naming the versions; the runtime is staged once. That CUDA really loads is for a real GPU run.
/// </summary>
[Collection(RealSlurmCollection.Name)]
public sealed class ClusterGpuTests(LocalSlurm slurm) : IDisposable
{
    private readonly HttpClient _http = new();
    private readonly string _shared = Path.Combine(slurm.Shared, "gpu-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TempDirectory _here = new("slurm-gpu");

    private SlurmBackend Backend(SlurmOptions options) =>
        new(new SlurmRestClient(_http, options, slurm.Variable), new LocalClusterFiles(), options with { LocalDir = _here.Combine("local") });

    /// <summary>A gpu stage's kernel as the packager writes it, with a stand-in self-contained bundle whose "trainer" reports its device.</summary>
    private KernelPackage GpuPackage(string slug)
    {
        const string mount = "steelci-trainer-999999999999";
        _here.Write("bundle/steelci-bundle.json",
            """{"format":"steelci.bundle/1","runtime":"self-contained","entry":"Trainer.dll","apphost":"Trainer","hash":"9999999999999999","libtorch":"2.10.0","executables":["Trainer"]}""");
        _here.Write("bundle/Trainer", "#!/bin/sh\necho \"device=$STEELCI_DEVICE\"\necho \"STEELCI-END status=complete manifest-sha256=none\"\n");
        File.SetUnixFileMode(_here.Combine("bundle", "Trainer"), (UnixFileMode)0b111_101_101);
        var kernel = _here.Combine("kernels", slug);
        KernelPackager.Write(kernel, new KernelSpec
        {
            Slug = slug,
            Stage = new StageConfig
            {
                Pipeline = "severstal", Stage = "seg1", Entry = "segment", ContentKey = new string('7', 64), Epochs = 1,
                Params = new Dictionary<string, string>(), Inputs = [], TrainerHash = new string('9', 64), SteelciVersion = "0.1.0",
            },
            BundleMount = mount,
            SessionSeconds = 600,
            Mounts = [new KernelMount { Name = mount, AttachedAs = mount }],
            Device = new DeviceRules { Accelerator = "gpu", Libtorch = "2.10.0" },
        });
        return new KernelPackage(slug, kernel, LauncherScript.FileName, [new KernelSource(mount, _here.Combine("bundle"), "bundle-9999")], "gpu", TimeSpan.FromMinutes(10));
    }

    /// <summary>A libtorch folder as PyTorch's zip unpacks (build-version, lib/), where a cluster's module would keep it.</summary>
    private string ClusterLibtorch(string version)
    {
        _here.Write($"sw/libtorch/build-version", version + "\n");
        _here.Write($"sw/libtorch/lib/libtorch_cuda.so", "cluster");
        return _here.Combine("sw", "libtorch");
    }

    [Fact]
    public async Task A_wrong_libtorch_is_refused_naming_both_versions_the_cpu_serves_when_allowed_and_a_staged_runtime_without_a_gpu_fails_clearly()
    {
        var libtorch = ClusterLibtorch("2.11.0+cu128");
        var options = slurm.Options(_shared) with { Libtorch = libtorch, CpuFallback = true };

        var backend = Backend(options);
        var handle = await backend.SubmitAsync(GpuPackage("gpu-fallback"), CancellationToken.None);
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, handle)).State);
        var log = backend.ReadLog(handle)!;
        Assert.Contains($"device cpu (rung c): compute.slurm.cpu_fallback is true, so this gpu stage runs on the CPU (compute.slurm.libtorch {libtorch} is " +
                        "2.11.0+cu128, but TorchSharp binds libtorch 2.10.0; no pinned CUDA runtime is attached (stage one with `steelci slurm runtime`", log);
        Assert.Contains("device=cpu", log);

        // The pinned runtime, staged once: a second staging finds it by its key and copies nothing.
        _here.Write("runtime/steelci-runtime.json", """{"format":"steelci.runtime/1","libtorch":"2.10.0","torch":"2.10.0+cu128","cuda":"12.8","lib":"lib"}""");
        _here.Write("runtime/lib/libtorch_cuda.so", "pinned");
        var files = new LocalClusterFiles();
        var staged = ClusterRuntime.Stage(files, _shared, _here.Combine("runtime"), "2.10.0");
        Assert.Equal($"{_shared}/inputs/{ClusterRuntime.KeyFor("2.10.0")}", staged);
        _here.Write("runtime/lib/libtorch_cuda.so", "changed after staging");
        Assert.Equal(staged, ClusterRuntime.Stage(files, _shared, _here.Combine("runtime"), "2.10.0"));
        Assert.Equal("pinned", File.ReadAllText(Path.Combine(staged, "lib", "libtorch_cuda.so")));
        Assert.Single(Directory.GetDirectories(Path.Combine(_shared, "inputs")), d => Path.GetFileName(d).StartsWith("steelci-libtorch-", StringComparison.Ordinal));
        var other = Assert.Throws<SlurmException>(() => ClusterRuntime.Stage(files, _shared, _here.Combine("runtime"), "2.11.0"));
        Assert.Contains("holds libtorch 2.10.0, but TorchSharp binds libtorch 2.11.0", other.Message);
        var unfinished = Assert.Throws<SlurmException>(() => ClusterRuntime.Stage(files, _shared, _here.Combine("bundle"), "2.10.0"));
        Assert.Contains("has no steelci-runtime.json: not a finished pinned runtime", unfinished.Message);

        // Without the fallback: the node sees no GPU (no nvidia-smi, no torch), so the job fails, naming every version.
        var strict = Backend(options with { CpuFallback = false });
        var failing = await strict.SubmitAsync(GpuPackage("gpu-strict"), CancellationToken.None);
        var failed = await Jobs.EndedAsync(strict, failing);
        Assert.Equal(AttemptState.Error, failed.State);
        Assert.Contains("exit code 2", failed.Detail);
        var refused = strict.ReadLog(failing)!;
        Assert.Contains($"stage seg1 needs a GPU (accelerator: gpu) but cannot use one: compute.slurm.libtorch {libtorch} is 2.11.0+cu128, but TorchSharp binds " +
                        "libtorch 2.10.0; the pinned CUDA runtime (libtorch 2.10.0, CUDA 12.8) is attached, but no GPU is visible", refused);
        Assert.Contains("allow the CPU (compute.slurm.cpu_fallback: true, or accelerator: cpu for this stage); check that compute.slurm.gres (gpu:1) gives the job a GPU", refused);
        Assert.DoesNotContain("device=", refused); // the trainer never started
    }

    public void Dispose()
    {
        _http.Dispose();
        _here.Dispose();
    }
}
