using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// A bound no schedule can beat on Kaggle accounts and clusters together (docs/scheduling.md, "Lower bound for mixed
/// capacity"), from accounts that start at a refresh, unused, and idle clusters with no queue. Work is counted in Kaggle
/// GPU hours: a cluster GPU of speed σ does σ of them per hour. A stage of w hours costs, at best,
/// on Kaggle w + u·⌈w / (S − u)⌉ and on a cluster w/σ + u_c·⌈(w/σ) / (L − g − u_c)⌉ (S the session limit, u the start-up,
/// L a job's time limit, g its grace); its cost c(w) is the least of the places it may use. The bound is the larger of
/// (a) the critical path: the longest chain of stages, each at its cost c(w); and
/// (b) T + c(final), where T is the earliest time at which every place together could have done the hours of all stages but
/// the final one, each with its fewest start-ups (min over places of a start-up's cost, σ·u_c on a cluster, times
/// ⌈w / the longest training a session or job holds⌉, which a stage split across places cannot beat), a Kaggle account
/// doing at most min(sessions·elapsed time in the current week, allowance − reserve) per week and a cluster
/// job_limit·σ per hour. "The final stage" is the longest of the stages nothing waits for; when it does not wait for every
/// other stage, (b) counts it in the work instead and adds nothing after T.
/// With no cluster this is <see cref="LowerBound"/>'s (a) and (b) for pipelines whose final stage waits for all others.
/// </summary>
public sealed record MixedLowerBound(
    string FinalStage,
    TimeSpan FinalCost,
    IReadOnlyList<string> CriticalChain,
    TimeSpan CriticalPath,
    TimeSpan Work,
    TimeSpan CapacityTime,
    TimeSpan CapacityBound)
{
    public TimeSpan Value => CriticalPath > CapacityBound ? CriticalPath : CapacityBound;

    public static MixedLowerBound Compute(IReadOnlyList<StageWork> stages, IReadOnlyList<SimulatedAccountState> accounts,
        IReadOnlyList<ClusterSettings> clusters, SchedulerOptions options, TimeSpan refreshPeriod)
    {
        if (accounts.Count == 0 && clusters.Count == 0)
            throw new ArgumentException("the bound needs at least one Kaggle account or cluster", nameof(accounts));
        var sinks = stages.Where(s => stages.All(o => !o.After.Contains(s.Name))).ToList();
        var final = sinks.MaxBy(s => s.Total) ?? throw new ArgumentException("a pipeline needs at least one stage", nameof(stages));
        var body = stages.Where(s => s != final).ToList();
        var finalAfterAll = body.All(s => final.After.Contains(s.Name));

        TimeSpan Cost(StageWork s)
        {
            var best = TimeSpan.MaxValue;
            if (accounts.Count > 0 && s.Places.HasFlag(Places.Kaggle))
                best = s.Total + options.Startup * Math.Ceiling(s.Total / (options.SessionLimit - options.Startup));
            foreach (var c in s.Places.HasFlag(Places.Cluster) ? clusters : [])
            {
                var own = s.Total / c.Speed;
                var cost = own + c.Startup * Math.Ceiling(own / c.UsefulPerJob);
                best = cost < best ? cost : best;
            }
            return best == TimeSpan.MaxValue
                ? throw new ArgumentException($"stage '{s.Name}' may run on no place given ({s.Places})", nameof(stages))
                : best;
        }

        // (a) the longest chain, each stage at its cheapest place.
        var byName = stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var chains = new Dictionary<string, (TimeSpan Length, List<string> Chain)>(StringComparer.Ordinal);
        (TimeSpan Length, List<string> Chain) Chain(StageWork s)
        {
            if (chains.TryGetValue(s.Name, out var known))
                return known;
            var before = s.After.Where(byName.ContainsKey).Select(a => Chain(byName[a])).DefaultIfEmpty((TimeSpan.Zero, [])).MaxBy(c => c.Item1);
            return chains[s.Name] = (before.Item1 + Cost(s), [.. before.Item2, s.Name]);
        }
        var critical = stages.Select(Chain).MaxBy(c => c.Length);

        // (b) the work before the final stage, with its fewest start-ups, against every place's capacity.
        var counted = finalAfterAll ? body : stages.ToList();
        var work = counted.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Total + Overhead(s));
        var time = EarliestSpend(work, accounts, clusters, refreshPeriod);
        var after = finalAfterAll ? Cost(final) : TimeSpan.Zero;
        return new MixedLowerBound(final.Name, Cost(final), critical.Chain, critical.Length, work, time, time + after);

        TimeSpan Overhead(StageWork s)
        {
            var startup = TimeSpan.MaxValue;
            var longest = TimeSpan.Zero;
            if (accounts.Count > 0 && s.Places.HasFlag(Places.Kaggle))
                (startup, longest) = (options.Startup, options.SessionLimit - options.Startup);
            foreach (var c in s.Places.HasFlag(Places.Cluster) ? clusters : [])
            {
                startup = c.Startup * c.Speed < startup ? c.Startup * c.Speed : startup;
                longest = c.UsefulPerJob * c.Speed > longest ? c.UsefulPerJob * c.Speed : longest;
            }
            return startup * Math.Ceiling(s.Total / longest);
        }
    }

    /// <summary>
    /// Smallest T (to the second) with Σ accounts' spendable hours by T + Σ clusters' job_limit·σ·T ≥ work (no clusters:
    /// the Kaggle-only bound's). An account with nothing above its reserve adds nothing.
    /// </summary>
    internal static TimeSpan EarliestSpend(TimeSpan work, IReadOnlyList<SimulatedAccountState> accounts, IReadOnlyList<ClusterSettings> clusters,
        TimeSpan period)
    {
        var perHour = clusters.Sum(c => c.JobLimit * c.Speed);
        TimeSpan Capacity(TimeSpan t)
        {
            var total = t * perHour;
            var weeks = (int)(t / period);
            var inWeek = t - period * weeks;
            foreach (var account in accounts)
            {
                var cap = account.Allowed - account.Settings.Reserve;
                if (cap <= TimeSpan.Zero)
                    continue;
                var now = account.Settings.MaxSessions * inWeek;
                total += cap * weeks + (now < cap ? now : cap);
            }
            return total;
        }
        if (perHour <= 0 && accounts.All(a => a.Allowed <= a.Settings.Reserve))
            throw new ArgumentException("no account has any hours above its reserve" + (clusters.Count > 0 ? " and no cluster has a job to give" : ""), nameof(accounts));
        long low = 0, high = 1;
        while (Capacity(TimeSpan.FromSeconds(high)) < work)
            high *= 2;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (Capacity(TimeSpan.FromSeconds(mid)) >= work)
                high = mid;
            else
                low = mid + 1;
        }
        return TimeSpan.FromSeconds(low);
    }
}
