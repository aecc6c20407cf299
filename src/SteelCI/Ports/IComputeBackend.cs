namespace SteelCI.Ports;

/// <summary>Where kernels run: <c>local</c> (processes on this machine) or <c>kaggle</c> (the HTTP API).</summary>
public interface IComputeBackend
{
    string Name { get; }

    /// <summary>How many attempts may run at once.</summary>
    int Slots { get; }

    /// <summary>
    /// True when this backend takes stored inputs on demand (<see cref="KernelSource.Fetch"/>) for stages of
    /// <paramref name="compute"/>: it keys them by their manifest and downloads them only to upload them (Kaggle: never
    /// when the account holds them already). False: every source comes with its bytes in <see cref="KernelSource.LocalPath"/>.
    /// </summary>
    bool FetchesSourcesOnDemand(string? compute) => false;

    /// <summary>Starts one attempt. The handle is everything needed to find it again after a restart.</summary>
    Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken);

    Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken);

    /// <summary>The attempt's output folder and its log, once it is no longer running.</summary>
    Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken);

    /// <summary>Stops an attempt that is still running (its output is lost).</summary>
    Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken);

    /// <summary>
    /// Stops an attempt for good because a person asked (<c>steelci cancel</c>), as far as the platform allows, and says
    /// what was done, in words for people (e.g. "process tree killed"). Unlike <see cref="StopAsync"/> (the watchdog's,
    /// which must not lose what it cannot get back), it may destroy the attempt's output and log where that is the only
    /// way to stop it. By default, <see cref="StopAsync"/>.
    /// </summary>
    async Task<string> CancelAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        await StopAsync(handle, cancellationToken);
        return $"stopped on {Name}";
    }
}

public sealed record AttemptHandle(string Slug, IReadOnlyDictionary<string, string> Data);

/// <summary><see cref="Cancelled"/> is only ever recorded in state (by <c>steelci cancel</c>); a backend never reports it.</summary>
public enum AttemptState { Queued, Running, Complete, Error, Lost, Cancelled }

public sealed record AttemptStatus(AttemptState State, string? Detail = null)
{
    public bool IsFinished => State is AttemptState.Complete or AttemptState.Error or AttemptState.Lost;
}

public sealed record CollectedOutput(string Directory, string Log);
