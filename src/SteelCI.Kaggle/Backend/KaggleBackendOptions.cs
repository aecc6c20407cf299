using SteelCI.Contracts;
using SteelCI.Archives;

namespace SteelCI.Kaggle.Backend;

/// <summary>How the kaggle backend places, pushes, waits and collects.</summary>
public sealed record KaggleBackendOptions
{
    /// <summary>Local folder for generated kernel folders and collected outputs.</summary>
    public required string Workspace { get; init; }
    /// <summary>Kaggle's cap on concurrent GPU batch sessions per account.</summary>
    public int GpuSessionsPerAccount { get; init; } = PlatformRules.GpuSessionsPerAccount;
    /// <summary>GPU hours each account keeps for its owner; an account with less left gets no new GPU attempt.</summary>
    public TimeSpan GpuReserve { get; init; } = TimeSpan.Zero;
    public string GpuMachineShape { get; init; } = "NvidiaTeslaT4";
    /// <summary>Kaggle's longest batch session; sessionTimeoutSeconds must stay below it.</summary>
    public TimeSpan MaxSession { get; init; } = PlatformRules.SessionLimit;
    /// <summary>
    /// The longest wait between dataset status checks while a new version processes; the first check comes after
    /// <see cref="DatasetFirstPoll"/> and the wait doubles up to this (a small dataset is READY in seconds).
    /// </summary>
    public TimeSpan DatasetPollInterval { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan DatasetFirstPoll { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan DatasetWaitLimit { get; init; } = TimeSpan.FromHours(2);
    /// <summary>How long a 403 right after a push still means "not visible yet" rather than "gone".</summary>
    public TimeSpan NotVisibleGrace { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Checks of GetKernel (this far apart) before a push whose outcome is unknown is repeated.</summary>
    public int PushChecks { get; init; } = 4;
    public TimeSpan PushCheckInterval { get; init; } = TimeSpan.FromSeconds(20);
    public int OutputPageSize { get; init; } = 100;
    /// <summary>Deflate level of the one zip a many-file input goes up as (0 stores); chosen by bench/SteelCI.Archives.Bench.</summary>
    public int ArchiveLevel { get; init; } = ZipPacker.DefaultLevel;
    /// <summary>PEP 503 simple index of PyTorch's CUDA wheels, from which the pinned runtime kernel fetches torch.</summary>
    public string TorchIndex { get; init; } = Kernels.PinnedRuntime.DefaultTorchIndex;
    /// <summary>PEP 503 simple index of the CUDA library wheels (nvidia-*-cu12) the torch wheel requires.</summary>
    public string PypiIndex { get; init; } = Kernels.PinnedRuntime.DefaultPypiIndex;
    public TimeSpan RuntimeSessionLimit { get; init; } = TimeSpan.FromHours(1);
    /// <summary>The libtorch version of a package without a kernel spec (the probe); a training kernel's comes from its bundle.</summary>
    public string? Libtorch { get; init; }
}
