namespace SteelCI.Scheduling.Placement;

/// <summary>
/// Decides what starts now. Ready stages (every input done, none running) are taken longest remaining path first
/// (the stage's own remaining hours plus the longest chain after it), the order that finishes the whole pipeline
/// soonest when stages compete for sessions. Each gets the account that can run the largest chunk of it now — the
/// epochs that fit before the session deadline and within what the account may still spend — ties going to the
/// account with the most hours left, which spreads work and keeps every account able to take the next chunk.
/// A chunk's window is charged against the account before the next decision, so two placements never overspend it.
/// Pure: the same input gives the same placements.
/// </summary>
public sealed class Placer(SchedulerOptions options)
{
    public SchedulerOptions Options { get; } = options;

    public IReadOnlyList<Placement> Place(DateTimeOffset now, IReadOnlyList<StageProgress> stages, IReadOnlyList<AccountCapacity> accounts)
    {
        var byName = stages.ToDictionary(s => s.Work.Name, StringComparer.Ordinal);
        var tails = TailHours(stages);
        var ready = stages
            .Where(s => !s.Done && !s.Running && s.Work.After.All(a => !byName.TryGetValue(a, out var dep) || dep.Done))
            .OrderByDescending(s => (s.Work.PerEpoch * s.Remaining).TotalHours + tails[s.Work.Name])
            .ThenBy(s => s.Work.Name, StringComparer.Ordinal)
            .ToList();

        var free = accounts.ToDictionary(a => a.Name, a => (a.FreeSlots, a.Spendable), StringComparer.Ordinal);
        var placements = new List<Placement>();
        foreach (var stage in ready)
        {
            var best = accounts
                .Where(a => free[a.Name].FreeSlots > 0)
                .Select(a => (Account: a.Name, Chunk: Chunk(stage, free[a.Name].Spendable), Left: free[a.Name].Spendable))
                .Where(c => c.Chunk.Epochs > 0)
                .OrderByDescending(c => c.Chunk.Epochs)
                .ThenByDescending(c => c.Left)
                .ThenBy(c => c.Account, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best.Account is null)
                continue;
            var (slots, spendable) = free[best.Account];
            free[best.Account] = (slots - 1, spendable - best.Chunk.Window);
            placements.Add(new Placement(stage.Work.Name, best.Account, stage.EpochsDone, best.Chunk.Epochs, now,
                now + best.Chunk.Window, now + Options.Startup + stage.Work.PerEpoch * best.Chunk.Epochs));
        }
        return placements;
    }

    /// <summary>
    /// The epochs of <paramref name="stage"/> that fit in one session with <paramref name="spendable"/> hours, and the
    /// window (start-up included) they are given. Zero epochs when nothing fits, or when a stage that cannot resume
    /// does not fit whole.
    /// </summary>
    public (int Epochs, TimeSpan Window) Chunk(StageProgress stage, TimeSpan spendable)
    {
        var cap = spendable < Options.MaxWindow ? spendable : Options.MaxWindow;
        var planned = Options.PlannedEpoch(stage.Work);
        if (cap <= Options.Startup || planned <= TimeSpan.Zero)
            return (0, TimeSpan.Zero);
        var epochs = (int)Math.Min(stage.Remaining, Math.Floor((cap - Options.Startup) / planned));
        if (epochs <= 0 || (!stage.Work.Resumable && epochs < stage.Remaining))
            return (0, TimeSpan.Zero);
        var window = Options.Startup + planned * epochs;
        window = TimeSpan.FromMinutes(Math.Ceiling(window.TotalMinutes));
        return (epochs, window < cap ? window : cap);
    }

    /// <summary>Why a stage cannot ever be placed (a stage that cannot resume and is longer than one session), or null.</summary>
    public string? Unplaceable(StageWork work) =>
        !work.Resumable && Options.Startup + Options.PlannedEpoch(work) * work.Epochs > Options.MaxWindow
            ? $"stage '{work.Name}' needs {(Options.PlannedEpoch(work) * work.Epochs).TotalHours:0.##} h in one session but cannot resume " +
              $"from a checkpoint; a session allows {(Options.MaxWindow - Options.Startup).TotalHours:0.##} h. Make it resumable or lower its epochs."
            : Options.Startup + Options.PlannedEpoch(work) > Options.MaxWindow
                ? $"one epoch of stage '{work.Name}' ({work.PerEpoch.TotalHours:0.##} h) does not fit in a session; lower the work per epoch."
                : null;

    /// <summary>For each stage, the hours of the longest chain of stages that wait for it.</summary>
    private static Dictionary<string, double> TailHours(IReadOnlyList<StageProgress> stages)
    {
        var tails = new Dictionary<string, double>(StringComparer.Ordinal);
        double Tail(StageProgress stage)
        {
            if (tails.TryGetValue(stage.Work.Name, out var known))
                return known;
            var after = stages.Where(s => s.Work.After.Contains(stage.Work.Name))
                .Select(s => (s.Work.PerEpoch * s.Remaining).TotalHours + Tail(s)).DefaultIfEmpty(0).Max();
            return tails[stage.Work.Name] = after;
        }
        foreach (var stage in stages)
            Tail(stage);
        return tails;
    }
}
