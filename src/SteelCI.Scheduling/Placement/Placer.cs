using SteelCI.Scheduling.Estimates;

namespace SteelCI.Scheduling.Placement;

/// <summary>
/// Decides what starts now. Ready stages (every input done, none running) are taken longest remaining path first
/// (the stage's own remaining hours plus the longest chain after it), the order that finishes the whole pipeline
/// soonest when stages compete for sessions. Each gets the account that can run the largest chunk of it now — the
/// epochs that fit before the session deadline and within what the account may still spend — ties going to the
/// account with the most hours left, which spreads work and keeps every account able to take the next chunk.
/// A chunk's window is charged against the account before the next decision, so two placements never overspend it.
/// Epoch times come from <see cref="SpeedEstimates"/> (measured where the sessions have shown them, the configured
/// estimate before): priorities use the stage's mean, chunk sizes the account's own where it has one.
/// With clusters (steelci.yml's <c>compute.slurm</c>), a stage that may run on both (<c>compute: any</c>) goes to the
/// place where it would be done soonest (<see cref="KaggleFinish"/>, <see cref="OnCluster"/>): the best Kaggle account
/// against each cluster with a free job; a stage longer than a job runs as chained jobs. Without clusters nothing changes.
/// Pure: the same input gives the same placements.
/// </summary>
public sealed class Placer(SchedulerOptions options)
{
    public SchedulerOptions Options { get; } = options;

    public IReadOnlyList<Placement> Place(DateTimeOffset now, IReadOnlyList<StageProgress> stages, IReadOnlyList<AccountCapacity> accounts,
        SpeedEstimates? speeds = null, IReadOnlyList<ClusterCapacity>? clusters = null)
    {
        clusters ??= [];
        speeds ??= SpeedEstimates.None;
        stages = stages.Select(s => s with { Work = speeds.Apply(s.Work) }).ToList();
        var byName = stages.ToDictionary(s => s.Work.Name, StringComparer.Ordinal);
        var tails = TailHours(stages);
        var ready = stages
            .Where(s => !s.Done && !s.Running && s.Work.After.All(a => !byName.TryGetValue(a, out var dep) || dep.Done))
            .OrderByDescending(s => (s.Work.PerEpoch * s.Remaining).TotalHours + tails[s.Work.Name])
            .ThenBy(s => s.Work.Name, StringComparer.Ordinal)
            .ToList();

        // Ending chunks just before a tick pays when the next chunk can start there; when the accounts' hours this
        // week cannot cover the work left anyway, every minute of window is worth more than the wait.
        var workLeft = stages.Where(s => !s.Done).Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Work.PerEpoch * s.Remaining + Options.Startup);
        var align = accounts.Aggregate(TimeSpan.Zero, (sum, a) => sum + a.Spendable) >= workLeft;
        var free = accounts.ToDictionary(a => a.Name, a => (a.FreeSlots, a.Spendable), StringComparer.Ordinal);
        var placements = new List<Placement>();
        var jobs = clusters.ToDictionary(c => c.Name, c => c.FreeJobs, StringComparer.Ordinal);
        foreach (var stage in ready)
        {
            var best = accounts
                .Where(a => stage.Work.Places.HasFlag(Places.Kaggle) && free[a.Name].FreeSlots > 0)
                .Select(a => (Account: a.Name, PerEpoch: speeds.PerEpoch(stage.Work, a.Name), Left: free[a.Name].Spendable))
                .Select(a => (a.Account, a.PerEpoch, Chunk: Chunk(stage, a.Left, a.PerEpoch, align), a.Left))
                .Where(c => c.Chunk.Epochs > 0)
                .OrderByDescending(c => c.Chunk.Epochs)
                .ThenByDescending(c => c.Left)
                .ThenBy(c => c.Account, StringComparer.Ordinal)
                .FirstOrDefault();
            if (clusters.Count > 0)
            {
                // Across places: the best Kaggle account (chosen as above) against every cluster with a free job, by
                // when the stage would be done; ties go to Kaggle (free hours first).
                var kaggle = best.Account is null ? null : new Placement(stage.Work.Name, best.Account, stage.EpochsDone, best.Chunk.Epochs, now,
                    now + best.Chunk.Window, now + Options.Startup + best.PerEpoch * best.Chunk.Epochs)
                {
                    StageFinishUtc = KaggleFinish(now, stage, best.PerEpoch, best.Chunk,
                        free.Values.Aggregate(TimeSpan.Zero, (sum, f) => sum + f.Spendable) - best.Chunk.Window,
                        accounts.Select(a => a.RefreshUtc).DefaultIfEmpty(now).Min()),
                };
                var choice = clusters
                    .Where(c => stage.Work.Places.HasFlag(Places.Cluster) && jobs[c.Name] > 0)
                    .Select(c => OnCluster(now, stage, speeds.Measured(stage.Work.Name, c.Name) ?? stage.Work.PerEpoch / c.Cluster.Speed, c.Cluster))
                    .OfType<Placement>()
                    .Prepend(kaggle)
                    .OfType<Placement>()
                    .OrderBy(p => p.StageFinishUtc)
                    .ThenBy(p => p.Place)
                    .ThenBy(p => p.Account, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (choice is null)
                    continue;
                if (choice.Place == Places.Cluster)
                    jobs[choice.Account]--;
                else
                    free[choice.Account] = (free[choice.Account].FreeSlots - 1, free[choice.Account].Spendable - best.Chunk.Window);
                placements.Add(choice);
                continue;
            }
            if (best.Account is null)
                continue;
            var (slots, spendable) = free[best.Account];
            free[best.Account] = (slots - 1, spendable - best.Chunk.Window);
            placements.Add(new Placement(stage.Work.Name, best.Account, stage.EpochsDone, best.Chunk.Epochs, now,
                now + best.Chunk.Window, now + Options.Startup + best.PerEpoch * best.Chunk.Epochs));
        }
        return placements;
    }

    /// <summary>
    /// When a stage placed on Kaggle now would be done: this chunk's window, then the rest in full sessions (each paying
    /// the start-up) while the pool's hours left this week (<paramref name="poolLeft"/>, after this chunk) cover it; what
    /// they do not cover waits for the first refresh. A guess: later chunks run back to back on whichever account.
    /// </summary>
    public DateTimeOffset KaggleFinish(DateTimeOffset now, StageProgress stage, TimeSpan perEpoch, (int Epochs, TimeSpan Window) chunk,
        TimeSpan poolLeft, DateTimeOffset refresh)
    {
        var rest = stage.Remaining - chunk.Epochs;
        if (rest <= 0)
            return now + Options.Startup + perEpoch * chunk.Epochs;
        var perSession = Math.Max(1, (int)Math.Floor((Options.MaxWindow - Options.Startup) / (perEpoch * (1 + Options.EpochSafety))));
        var restTime = perEpoch * rest + Options.Startup * Math.Ceiling(rest / (double)perSession);
        var next = now + chunk.Window;
        if (poolLeft < TimeSpan.Zero)
            poolLeft = TimeSpan.Zero;
        return restTime <= poolLeft ? next + restTime : (next + poolLeft > refresh ? next + poolLeft : refresh) + (restTime - poolLeft);
    }

    /// <summary>
    /// The first job of a stage on <paramref name="cluster"/> now, or null when it cannot run there (an epoch longer than a
    /// job, or a stage that cannot resume longer than one). <paramref name="perEpoch"/> is in the cluster's time (measured
    /// there, else the Kaggle estimate divided by the cluster's speed); a job trains at most
    /// <see cref="ClusterSettings.UsefulPerJob"/>. The stage's last job gets its expected time plus
    /// <see cref="SchedulerOptions.DeadlineSlack"/>, an earlier one the whole window (the trainer trains to its deadline
    /// and the next job resumes). Expected finish: the stage's remaining epochs plus one start-up per job, back to back.
    /// </summary>
    public Placement? OnCluster(DateTimeOffset now, StageProgress stage, TimeSpan perEpoch, ClusterSettings cluster)
    {
        var planned = perEpoch * (1 + Options.EpochSafety);
        if (planned <= TimeSpan.Zero)
            return null;
        var perJob = (int)Math.Min(int.MaxValue, Math.Floor(cluster.UsefulPerJob / planned));
        if (perJob <= 0 || (!stage.Work.Resumable && perJob < stage.Remaining))
            return null;
        var epochs = Math.Min(stage.Remaining, perJob);
        var window = cluster.MaxWindow;
        if (epochs == stage.Remaining)
        {
            var needed = TimeSpan.FromMinutes(Math.Ceiling((cluster.Startup + perEpoch * epochs * (1 + Options.DeadlineSlack)).TotalMinutes));
            window = needed < window ? needed : window;
        }
        var chained = (int)Math.Ceiling(stage.Remaining / (double)perJob);
        return new Placement(stage.Work.Name, cluster.Name, stage.EpochsDone, epochs, now, now + window, now + cluster.Startup + perEpoch * epochs)
        {
            Place = Places.Cluster,
            StageFinishUtc = now + perEpoch * stage.Remaining + cluster.Startup * chained,
        };
    }

    /// <summary>
    /// The epochs of <paramref name="stage"/> that fit in one session with <paramref name="spendable"/> hours at the
    /// planned epoch time (estimate + safety), and the window (start-up included) they are given. The stage's last
    /// chunk gets its expected time plus <see cref="SchedulerOptions.DeadlineSlack"/>; an earlier one, which the
    /// trainer runs until its deadline, all the account can afford, ending <see cref="SchedulerOptions.CollectionLead"/>
    /// before a tick (with <paramref name="alignToTick"/>; <see cref="Place"/> asks for it while the accounts' hours
    /// cover the work left). Never more than the account can afford or the longest window. Zero epochs when nothing fits, or when a stage that cannot resume
    /// does not fit whole.
    /// </summary>
    public (int Epochs, TimeSpan Window) Chunk(StageProgress stage, TimeSpan spendable) => Chunk(stage, spendable, stage.Work.PerEpoch);

    /// <summary>The chunk with an epoch time of <paramref name="perEpoch"/> (a measured one) instead of the stage's estimate.</summary>
    public (int Epochs, TimeSpan Window) Chunk(StageProgress stage, TimeSpan spendable, TimeSpan perEpoch, bool alignToTick = true)
    {
        var cap = spendable < Options.MaxWindow ? spendable : Options.MaxWindow;
        var planned = perEpoch * (1 + Options.EpochSafety);
        if (cap <= Options.Startup || planned <= TimeSpan.Zero)
            return (0, TimeSpan.Zero);
        var epochs = (int)Math.Min(stage.Remaining, Math.Floor((cap - Options.Startup) / planned));
        if (epochs <= 0 || (!stage.Work.Resumable && epochs < stage.Remaining)
            || (epochs < stage.Remaining && cap - Options.Startup < Options.MinChunk))
            return (0, TimeSpan.Zero);
        // The deadline leaves the chunk DeadlineSlack more than its expected time (at most what the account can give):
        // a session slower than its estimate still ends its chunk; Kaggle charges what a session uses, and the
        // ledger holds the window only while the session is open.
        if (alignToTick && epochs < stage.Remaining && Options.Tick > TimeSpan.Zero)
        {
            // Not the stage's last chunk: the trainer trains until its deadline, so the deadline is put just before a
            // tick (ticks come every Tick from now), where the next chunk is placed at once instead of a tick later.
            var aligned = Options.Tick * Math.Floor((cap + Options.CollectionLead) / Options.Tick) - Options.CollectionLead;
            if (aligned >= Options.Startup + planned)
                return ((int)Math.Floor((aligned - Options.Startup) / planned), aligned);
        }
        var window = Options.Startup + perEpoch * epochs * (1 + Options.DeadlineSlack);
        window = TimeSpan.FromMinutes(Math.Ceiling(window.TotalMinutes));
        return (epochs, window < cap ? window : TimeSpan.FromMinutes(Math.Floor(cap.TotalMinutes)));
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
