namespace SteelCI.Running;

/// <summary>
/// How to run: <see cref="Force"/> retrains even where a release with the same content key exists;
/// <see cref="LostRetries"/> is how many times an attempt that vanished (killed, no exit status) is started again;
/// <see cref="RetryFailed"/> gives failed stages a new start (a fresh `run` does; a scheduled tick does not, so a
/// deterministic failure is not retried every few minutes).
/// </summary>
public sealed record RunRequest(bool Force = false, int LostRetries = 2, bool RetryFailed = true);

/// <summary>Settings of the runner that do not change between runs.</summary>
public sealed record RunnerOptions(TimeSpan PollInterval, string SteelciVersion, string? SourceCommit)
{
    /// <summary>
    /// An attempt still active this long after its deadline (start + session limit) is stopped by the watchdog and
    /// counted lost: the platform's own timeout has been seen not to fire.
    /// </summary>
    public TimeSpan WatchdogMargin { get; init; } = TimeSpan.FromMinutes(30);
}
