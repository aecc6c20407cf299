using SteelCI.Kaggle.Backend;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The epoch each running Kaggle attempt has reached, read from its live log stream (the replay so far), and a flag when
/// its log has been silent longer than a limit: the last line's time is the session's start (at the latest the
/// attempt's recorded start, so queueing counts as silence) plus the line's <c>time</c>.
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
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attempt in state.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.IsActive && a.Backend == "kaggle" && a.Handle is not null))
        {
            var handle = attempt.Handle!;
            var client = kaggle.Clients.FirstOrDefault(c => c.Account.Name == (attempt.Account ?? handle.GetValueOrDefault("account")));
            if (client is null || handle.GetValueOrDefault("owner") is not { } owner || handle.GetValueOrDefault("kernel") is not { } kernel)
                continue;
            LiveProgress progress;
            try
            {
                progress = await new LiveLog(client, time).SnapshotAsync(owner, kernel, Quiet, cancellationToken);
            }
            catch (Kaggle.Api.KaggleException error)
            {
                notes[attempt.Slug] = $"live log unavailable ({error.Message})";
                continue;
            }
            var lastLine = attempt.StartedUtc + TimeSpan.FromSeconds(progress.Lines > 0 ? progress.LastLineAt : 0);
            var silent = time.GetUtcNow() - lastLine;
            notes[attempt.Slug] = $"{progress.Describe()} (live)" + (silent > silenceLimit
                ? $"; SILENT {LiveLog.Minutes(silent)} (limit {LiveLog.Minutes(silenceLimit)}): the trainer may hang"
                : "");
        }
        return notes;
    }
}
