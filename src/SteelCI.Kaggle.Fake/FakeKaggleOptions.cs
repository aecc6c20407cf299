using SteelCI.Contracts;

namespace SteelCI.Kaggle.Fake;

/// <summary>How the fake behaves. Every duration is measured on <see cref="Time"/>, so tests drive it with fake time.</summary>
public sealed record FakeKaggleOptions
{
    /// <summary>0: the OS picks a free port on 127.0.0.1.</summary>
    public int Port { get; init; }
    /// <summary>The fake's clock, injected: a test's fake time, or the real clock from the composition root (<c>steelci fake kaggle</c>).</summary>
    public required TimeProvider Time { get; init; }
    /// <summary>Where uploaded blobs, datasets and kernel outputs are kept (a temporary folder when null; deleted on dispose then).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>How long a pushed version stays QUEUED.</summary>
    public TimeSpan QueueTime { get; init; } = TimeSpan.FromSeconds(5);
    public int GpuSessionLimit { get; init; } = PlatformRules.GpuSessionsPerAccount;
    public int CpuSessionLimit { get; init; } = PlatformRules.CpuSessionsPerAccount;
    public TimeSpan GpuQuota { get; init; } = PlatformRules.WeeklyGpuQuota;
    public TimeSpan TpuQuota { get; init; } = PlatformRules.WeeklyTpuQuota;
    /// <summary>How long a new dataset version walks through the processing states before READY.</summary>
    public TimeSpan DatasetProcessingTime { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Right after a push, a 403 for this long (Kaggle's "not yet visible" window).</summary>
    public TimeSpan NotVisibleFor { get; init; } = TimeSpan.Zero;
    /// <summary>Right after a push, status without versionLabel shows the previous version's state for this long.</summary>
    public TimeSpan StaleStatusFor { get; init; } = TimeSpan.Zero;
    /// <summary>
    /// Answer the session cap as HTTP 400 "Bad Request: Maximum batch GPU session count of 2 reached." instead of 200
    /// with <c>error</c>; both are seen (kaggle-api.md §8).
    /// </summary>
    public bool SessionCapAsBadRequest { get; init; }
    /// <summary>Refuse legacy Basic credentials with 401, as some users report.</summary>
    public bool RejectBasicAuth { get; init; }
    /// <summary>
    /// DeleteKernel also ends the kernel's running session. Off by default: whether Kaggle does is unknown
    /// (kaggle-api.md §7), so the fake assumes the costlier answer (it runs on, unseen, spending quota and a slot).
    /// </summary>
    public bool DeleteStopsSession { get; init; }
    /// <summary>
    /// Mount inputs as <c>/kaggle/input/datasets/{owner}/{slug}</c> and <c>/kaggle/input/competitions/{slug}</c> instead
    /// of <c>/kaggle/input/{slug}</c>: which one a session gets is what <c>steelci kaggle probe</c> reports.
    /// </summary>
    public bool NestedInputLayout { get; init; }
    /// <summary>What runs a pushed kernel; the scripted runner (no process) when null.</summary>
    public IFakeKernelRunner? Runner { get; init; }
    /// <summary>Files per ListKernelSessionOutput page when the request gives none.</summary>
    public int DefaultOutputPageSize { get; init; } = 20;
    /// <summary>How often (on <see cref="Time"/>) an open live log stream looks for new lines.</summary>
    public TimeSpan LogStreamInterval { get; init; } = TimeSpan.FromSeconds(1);
}
