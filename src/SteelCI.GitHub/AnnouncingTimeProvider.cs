namespace SteelCI.GitHub;

/// <summary>
/// The injected clock, with one addition: an action to run right after the next timer is created. Polly's retry
/// calls OnRetry before it arms its delay; this lets the store announce a wait (<see cref="GitHubStoreOptions.Waiting"/>)
/// only once the timer exists, so a test on fake time can advance the clock as soon as it is told.
/// </summary>
internal sealed class AnnouncingTimeProvider(TimeProvider inner) : TimeProvider
{
    private Action? _next;

    public void AnnounceNextTimer(Action announce) => _next = announce;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        Interlocked.Exchange(ref _next, null)?.Invoke();
        return timer;
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
