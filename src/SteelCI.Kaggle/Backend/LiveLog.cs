using SteelCI.Kaggle.Api;

namespace SteelCI.Kaggle.Backend;

/// <summary>
/// A running attempt's live log for <c>steelci logs --follow</c> and <c>steelci status</c>: followed to its end across
/// dropped streams (<see cref="KernelLogStream.FollowAsync"/>) with silence flagged, or read as far as it goes now
/// (<see cref="SnapshotAsync"/>: the replay, until no event came for a quiet spell). Waits run on the injected clock.
/// </summary>
public sealed class LiveLog(KaggleClient client, TimeProvider time, HttpClient? streamHttp = null)
{
    /// <summary>How often a follow checks for silence.</summary>
    public TimeSpan SilenceCheck { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Writes every line of the log once, as it comes, until the session's log ends; <paramref name="flag"/> hears it
    /// each time the log has been silent for longer than <paramref name="silenceLimit"/> (a hung trainer shows before
    /// its deadline). Returns the progress read.
    /// </summary>
    public async Task<(LogFollowEnd End, LiveProgress Progress)> FollowAsync(string owner, string slug, Func<string, Task> write,
        TimeSpan silenceLimit, Action<string> flag, CancellationToken cancellationToken)
    {
        var progress = new LiveProgress(time);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = progress.WatchSilenceAsync(silenceLimit, SilenceCheck, silent =>
            flag($"no log line for {Minutes(silent)} (limit {Minutes(silenceLimit)}); {progress.Describe()}: the trainer may hang"), watching.Token);
        try
        {
            var end = await new KernelLogStream(client, streamHttp).FollowAsync(owner, slug, async entry =>
            {
                progress.Observe(entry);
                await write(entry.Data);
            }, cancellationToken);
            return (end, progress);
        }
        finally
        {
            await watching.CancelAsync();
            await watch;
        }
    }

    /// <summary>
    /// The log so far: the stream replays it from the start on connecting, then waits for new lines; reading stops once
    /// no event came for <paramref name="quiet"/>, at the log's end, or when the stream drops.
    /// </summary>
    public async Task<LiveProgress> SnapshotAsync(string owner, string slug, TimeSpan quiet, CancellationToken cancellationToken,
        Func<KernelLogEvent, Task>? onEvent = null)
    {
        var progress = new LiveProgress(time);
        using var silence = new CancellationTokenSource(quiet, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, silence.Token);
        try
        {
            await foreach (var entry in new KernelLogStream(client, streamHttp).ReadAsync(owner, slug, linked.Token))
            {
                progress.Observe(entry);
                if (onEvent is not null)
                    await onEvent(entry);
                silence.CancelAfter(quiet); // re-armed by every event
            }
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // caught up: nothing new for a quiet spell
        }
        catch (Exception error) when (error is IOException or HttpRequestException)
        {
            // dropped: what came so far is the snapshot
        }
        return progress;
    }

    public static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}
