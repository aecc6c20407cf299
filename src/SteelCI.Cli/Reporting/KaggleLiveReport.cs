using SteelCI.Kaggle.Backend;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The epoch each running Kaggle attempt has reached, read from its live log stream (the replay so far), and a flag when
/// its log has been silent longer than a limit: the last line's time is the session's start (at the latest the
/// attempt's recorded start) plus the line's <c>time</c>. An attempt last seen queued that has written nothing yet is
/// waiting for a GPU, not hanging: it is shown as queued, never as silent. The streams are read at once, so status
/// waits one quiet period however many attempts run.
/// </summary>
public static class KaggleLiveReport
{
    public static readonly TimeSpan DefaultSilence = AttemptLogs.DefaultSilence;

    /// <summary>How long the replay may pause before it is taken as read whole.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    /// <summary>A note per running attempt's slug: "epoch 3/20 (live)", with "; SILENT 42 min (limit 30 min)" when silent.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(KaggleWiring kaggle, RunState state, TimeSpan silenceLimit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var reads = new List<Task<(string Slug, string Note)>>();
        foreach (var attempt in state.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.IsActive && a.Backend == "kaggle" && a.Handle is not null))
        {
            var handle = attempt.Handle!;
            var client = kaggle.Clients.FirstOrDefault(c => c.Account.Name == (attempt.Account ?? handle.GetValueOrDefault("account")));
            if (client is null || handle.GetValueOrDefault("owner") is not { } owner || handle.GetValueOrDefault("kernel") is not { } kernel)
                continue;
            reads.Add(NoteAsync(new LiveLog(client, time), owner, kernel, attempt, silenceLimit, time, cancellationToken));
        }
        return (await Task.WhenAll(reads)).ToDictionary(r => r.Slug, r => r.Note, StringComparer.Ordinal);
    }

    private static async Task<(string Slug, string Note)> NoteAsync(LiveLog log, string owner, string kernel, AttemptRecord attempt,
        TimeSpan silenceLimit, TimeProvider time, CancellationToken cancellationToken)
    {
        LiveProgress progress;
        try
        {
            progress = await log.SnapshotAsync(owner, kernel, Quiet, cancellationToken);
        }
        catch (Kaggle.Api.KaggleException error)
        {
            return (attempt.Slug, $"live log unavailable ({error.Message})");
        }
        var waited = time.GetUtcNow() - attempt.StartedUtc;
        if (progress.Lines == 0 && attempt.State == AttemptState.Queued)
            return (attempt.Slug, $"queued on Kaggle for {LiveLog.Minutes(waited)}, no log yet");
        var silent = waited - TimeSpan.FromSeconds(progress.Lines > 0 ? progress.LastLineAt : 0);
        return (attempt.Slug, $"{progress.Describe()} (live)" + (silent > silenceLimit
            ? $"; SILENT {LiveLog.Minutes(silent)} (limit {LiveLog.Minutes(silenceLimit)}): the trainer may hang"
            : ""));
    }
}
