using System.Globalization;
using System.Text.RegularExpressions;
using SteelCI.Kaggle.Api;

namespace SteelCI.Kaggle.Backend;

/// <summary>
/// What a running attempt's live log says so far: the furthest epoch it reached (the trainer logs
/// <c>epoch N: loss …</c> after each epoch and <c>… in epoch N/M …</c> at checkpoints), and when its last line came, on
/// the injected clock, so a session silent for longer than a limit can be flagged before its deadline.
/// </summary>
public sealed partial class LiveProgress(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private DateTimeOffset? _lastLine;

    /// <summary>The furthest epoch named in the log; null before the first.</summary>
    public int? Epoch { get; private set; }

    /// <summary>The stage's epochs when a line said "N/M".</summary>
    public int? Epochs { get; private set; }

    public int Lines { get; private set; }

    /// <summary>The latest event's time since the session started (Kaggle's <c>time</c> field), in seconds.</summary>
    public double LastLineAt { get; private set; }

    public void Observe(KernelLogEvent entry)
    {
        lock (_gate)
        {
            _lastLine = time.GetUtcNow();
            LastLineAt = Math.Max(LastLineAt, entry.Time);
            foreach (var line in entry.Data.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Lines++;
                foreach (Match match in EpochPattern().Matches(line))
                {
                    var epoch = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    if (epoch > (Epoch ?? 0))
                        Epoch = epoch;
                    if (match.Groups[2].Success)
                        Epochs = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                }
            }
        }
    }

    /// <summary>How long no line has come (since watching began when none has).</summary>
    public TimeSpan SilentFor
    {
        get
        {
            lock (_gate)
                return time.GetUtcNow() - (_lastLine ?? _started);
        }
    }

    /// <summary>"epoch 3/20", "epoch 3", or "no epoch yet".</summary>
    public string Describe() => Epoch is null ? "no epoch yet" : Epochs is null ? $"epoch {Epoch}" : $"epoch {Epoch}/{Epochs}";

    /// <summary>
    /// Calls <paramref name="onSilent"/> once each time the log has been silent for longer than <paramref name="limit"/>
    /// (checked every <paramref name="check"/> on the injected clock), until cancelled. A new line re-arms it.
    /// </summary>
    public async Task WatchSilenceAsync(TimeSpan limit, TimeSpan check, Action<TimeSpan> onSilent, CancellationToken cancellationToken)
    {
        var flaggedLines = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(check, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var silent = SilentFor;
            if (silent > limit && flaggedLines != Lines)
            {
                flaggedLines = Lines;
                onSilent(silent);
            }
        }
    }

    [GeneratedRegex(@"\bepoch (\d+)(?:/(\d+))?\b")]
    private static partial Regex EpochPattern();
}
