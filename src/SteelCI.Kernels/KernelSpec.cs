using System.Text.Json.Serialization;
using SteelCI.Contracts;

namespace SteelCI.Kernels;

/// <summary>
/// Everything one kernel's launcher needs, as data: the stage, its inputs and what they are attached as, the session's
/// length and margin, and the device rules. The packager writes it once (<see cref="FileName"/> beside the launcher);
/// a backend with accounts fills in only <see cref="Owner"/> and the attached names (<see cref="ForAccount"/>). The
/// launcher's code never changes per kernel: it reads this JSON, which travels inside it as one literal, because a
/// Kaggle kernel is one file.
/// </summary>
public sealed record KernelSpec
{
    public const string FileName = "steelci-kernel.json";

    [JsonPropertyName("format")] public string Format { get; init; } = "steelci.kernel/1";
    /// <summary>The account's username; null until a backend with accounts places the kernel.</summary>
    [JsonPropertyName("owner")] public string? Owner { get; init; }
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("stage")] public required StageConfig Stage { get; init; }
    [JsonPropertyName("bundleMount")] public required string BundleMount { get; init; }
    [JsonPropertyName("sessionSeconds")] public required long SessionSeconds { get; init; }
    /// <summary>The margin kept back for saving outputs: min(share of the session, cap) (<see cref="PlatformRules"/>).</summary>
    [JsonPropertyName("marginShare")] public double MarginShare { get; init; } = PlatformRules.LauncherMarginShare;
    [JsonPropertyName("marginCapSeconds")] public long MarginCapSeconds { get; init; } = (long)PlatformRules.LauncherMarginCap.TotalSeconds;
    /// <summary>Every input, in order (the trainer bundle first), with the name it is attached as.</summary>
    [JsonPropertyName("mounts")] public required IReadOnlyList<KernelMount> Mounts { get; init; }
    [JsonPropertyName("device")] public required DeviceRules Device { get; init; }

    [JsonIgnore] public string Accelerator => Device.Accelerator;

    /// <summary>The spec as one account attaches it: its username and, per mount, the dataset (or kernel) slug it is held as.</summary>
    public KernelSpec ForAccount(string owner, IReadOnlyDictionary<string, string> attachedAs)
    {
        var missing = Mounts.Where(m => m.Competition is null && !m.KernelOutput && !attachedAs.ContainsKey(m.Name)).Select(m => m.Name).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"kernel {Slug}: no dataset slug for mount(s) {string.Join(", ", missing)}", nameof(attachedAs));
        return this with
        {
            Owner = owner,
            Mounts = Mounts.Select(m => m.Competition is null && !m.KernelOutput ? m with { AttachedAs = attachedAs[m.Name] } : m).ToList(),
        };
    }

    /// <summary>A gpu kernel with the pinned CUDA runtime attached: the kernel <paramref name="runtimeKernel"/>'s output, mounted as
    /// <see cref="PinnedRuntime.MountName"/>. A cpu kernel is returned as it is.</summary>
    public KernelSpec WithRuntime(string runtimeKernel) => Accelerator != "gpu" ? this : this with
    {
        Mounts = [.. Mounts.Where(m => m.Name != PinnedRuntime.MountName),
            new KernelMount { Name = PinnedRuntime.MountName, AttachedAs = runtimeKernel, KernelOutput = true }],
        Device = Device with { RuntimeMount = PinnedRuntime.MountName },
    };

    public string ToJson() => Json.Serialize(this);

    public static KernelSpec Read(string kernelDirectory) => Json.Read<KernelSpec>(Path.Combine(kernelDirectory, FileName));
}

/// <summary>
/// One input of a kernel: the mount name the stage knows, the name Kaggle attaches it as (a dataset slug, a
/// competition slug, or the mount name itself where nothing renames it), and whether it is a competition or a kernel's output.
/// </summary>
public sealed record KernelMount
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("attachedAs")] public required string AttachedAs { get; init; }
    [JsonPropertyName("competition")] public string? Competition { get; init; }
    /// <summary>True for another kernel's output attached as a kernel source (the pinned CUDA runtime).</summary>
    [JsonPropertyName("kernelOutput")] public bool KernelOutput { get; init; }
}

/// <summary>
/// How the launcher picks the device (docs/kaggle.md, "Device choice"): (a) the image's torch when its version is
/// <see cref="Libtorch"/>; (b) the pinned CUDA runtime mounted as <see cref="RuntimeMount"/> when it holds that version;
/// (c) the CPU when <see cref="Accelerator"/> is cpu (or off Kaggle); (d) else a failure that names the versions.
/// </summary>
public sealed record DeviceRules
{
    [JsonPropertyName("accelerator")] public required string Accelerator { get; init; }
    /// <summary>The libtorch version TorchSharp binds; null: read from the bundle (steelci-bundle.json or the trainer's deps.json).</summary>
    [JsonPropertyName("libtorch")] public string? Libtorch { get; init; }
    /// <summary>The CUDA version of the pinned runtime (PyTorch's cu128 wheels).</summary>
    [JsonPropertyName("cuda")] public string Cuda { get; init; } = PinnedRuntime.Cuda;
    /// <summary>The mount of the pinned CUDA runtime, or null when the account has none prepared.</summary>
    [JsonPropertyName("runtimeMount")] public string? RuntimeMount { get; init; }
    /// <summary>A CUDA libtorch found on the cluster through configuration (compute.slurm.libtorch): a libtorch folder
    /// (build-version, lib/) or a Python whose torch to use. Rung (a) probes it instead of the launcher's own Python.</summary>
    [JsonPropertyName("libtorchPath")] public string? LibtorchPath { get; init; }
    /// <summary>Whether a gpu stage may run on the CPU when rungs (a) and (b) fail: true (compute.slurm.cpu_fallback), false
    /// (fail, rung d), or null: the Kaggle rule (fail on Kaggle, the CPU off it).</summary>
    [JsonPropertyName("cpuFallback")] public bool? CpuFallback { get; init; }
    /// <summary>The platform's wording in the ladder's messages: runtime (how to prepare the pinned runtime), fixes (rung d's
    /// advice), fallback (why rung c is allowed), torchSource / libtorchField (what rung a probed). Null: Kaggle's.</summary>
    [JsonPropertyName("hints")] public IReadOnlyDictionary<string, string>? Hints { get; init; }
}
