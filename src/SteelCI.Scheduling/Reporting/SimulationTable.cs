using System.Globalization;
using System.Text;
using SteelCI.Scheduling.Simulation;
using static SteelCI.Scheduling.Reporting.Durations;

namespace SteelCI.Scheduling.Reporting;

/// <summary>The simulator's tables as Markdown: both lower bounds with their terms, the three schedulers, and a summary over seeds.</summary>
public static class SimulationTable
{
    public static string Format(IReadOnlyList<BenchRow> rows, SimulationOptions options)
    {
        var s = options.Scheduler;
        var text = new StringBuilder();
        var stages = SeverstalPlan.Stages();
        text.AppendLine(Invariant($"Severstal plan: {string.Join(", ", stages.Select(w => $"{w.Name} {w.Epochs}x{w.PerEpoch.TotalMinutes:0.#} min ({w.Total.TotalHours:0.##} h)"))}; submission after all others."));
        text.AppendLine(Invariant($"Accounts: {SeverstalPlan.WeeklyQuota.TotalHours:0} GPU h/week each, refreshed every {options.RefreshPeriod.TotalDays:0} days from the start, no reserve, 2 sessions at once; sessions <= {Short(s.SessionLimit)}, {s.Startup.TotalMinutes:0} min start-up counted against quota; ticks every {options.Tick.TotalMinutes:0} min."));
        text.AppendLine(Invariant($"Speed: each stage at a factor drawn in +/-{options.Jitter * 100:0}% of its estimate, each epoch +/-{options.Jitter / 3 * 100:0.#}% around that; SteelCI learns epoch times {Learning(options.Learning)}."));
        text.AppendLine();
        if (rows.Count > 0)
        {
            var b = rows[0].Bound;
            text.AppendLine("Lower bound = max(a, b), once from the estimated epoch times and once from the realised ones:");
            text.AppendLine(Invariant($"  (a) critical path = longest stage in ceil(h / {(s.SessionLimit - s.Startup).TotalHours:0.##}) sessions x {s.Startup.TotalMinutes:0} min + {b.FinalStage} with its start-up (estimated: {b.LongestStage} {Hours(b.LongestStageHours)} -> {Hours(b.CriticalPath)})"));
            text.AppendLine(Invariant($"  (b) T + {b.FinalStage}, T = earliest time by which n accounts, each spending <= min(2 x elapsed in week, 30 h) per week, spend the other stages' hours with their minimal start-ups (estimated: {Hours(b.Work)} in {b.WorkSessions} sessions)"));
            text.AppendLine();
        }
        var seeds = rows.Select(r => r.Seed).Distinct().Count();
        text.AppendLine("| accounts | seed | bound, estimates (a / b) | bound, realised (a / b) | SteelCI | SteelCI ratio est. / real. | round-robin, quota ignored | RR ratio est. / real. | greedy, quota-aware | greedy ratio est. / real. | GPU min lost to cut-offs (SteelCI / RR / greedy) | cut-offs (SteelCI / RR / greedy) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows.OrderBy(r => r.Accounts).ThenBy(r => r.Seed))
        {
            text.AppendLine(Invariant($"| {row.Accounts} | {row.Seed} | {Bound(row.Bound)} | {Bound(row.RealisedBound)} | {Span(row.Scheduler)} | {Ratios(row, row.Scheduler)} | {Span(row.RoundRobin)} | {Ratios(row, row.RoundRobin)} | {Span(row.Greedy)} | {Ratios(row, row.Greedy)} | {row.Scheduler.Lost.TotalMinutes:0} / {row.RoundRobin.Lost.TotalMinutes:0} / {row.Greedy.Lost.TotalMinutes:0} | {row.Scheduler.CutOffs} / {row.RoundRobin.CutOffs} / {row.Greedy.CutOffs} |"));
        }
        if (seeds > 1 || rows.Count > 0)
        {
            text.AppendLine();
            text.Append(Summary(rows));
        }
        return text.ToString();
    }

    /// <summary>Per number of accounts: each scheduler's worst ratio to the realised bound over the seeds, and SteelCI's worst makespan against each baseline.</summary>
    public static string Summary(IReadOnlyList<BenchRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Worst case over {rows.Select(r => r.Seed).Distinct().Count()} seed(s) (ratio to the realised-times bound; SteelCI / baseline makespan, > 1.00 means SteelCI was slower):"));
        text.AppendLine();
        text.AppendLine("| accounts | SteelCI worst (seed) | round-robin worst (seed) | greedy worst (seed) | SteelCI / round-robin worst (seed) | SteelCI / greedy worst (seed) |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => r.Accounts).OrderBy(g => g.Key))
            text.AppendLine(Invariant($"| {group.Key} | {Worst(group, r => r.Ratio(r.Scheduler))} | {Worst(group, r => r.Ratio(r.RoundRobin))} | {Worst(group, r => r.Ratio(r.Greedy))} | {Worst(group, r => Versus(r.Scheduler, r.RoundRobin))} | {Worst(group, r => Versus(r.Scheduler, r.Greedy))} |"));
        return text.ToString();
    }

    /// <summary>The mixed rows (Kaggle accounts + a cluster, every stage <c>compute: any</c>) against their lower bound.</summary>
    public static string FormatMixed(IReadOnlyList<MixedRow> rows)
    {
        var text = new StringBuilder();
        if (rows.Count == 0)
            return "";
        var c = rows[0].Cluster;
        text.AppendLine(Invariant($"Mixed: the same plan with every stage on `compute: any`, Kaggle accounts as above plus a Slurm cluster ({c.TimeLimit.TotalHours:0.#} h job limit, {c.Grace.TotalMinutes:0} min grace, {c.Startup.TotalMinutes:0} min start-up, GPU speed {c.Speed:0.##} x Kaggle's, no queue)."));
        text.AppendLine("Mixed lower bound = max(a, b): (a) the longest chain, each stage on its cheapest place (its hours / speed plus a start-up per session or job); (b) T + the final stage at its cheapest, T = earliest time by which the accounts (each <= min(2 x elapsed in week, 30 h) per week) and the cluster (job limit x speed GPU hours per hour) do the other stages' hours with their fewest start-ups.");
        text.AppendLine();
        text.AppendLine("| places | seed | bound, estimates (a / b) | bound, realised (a / b) | SteelCI | SteelCI ratio est. / real. | sessions Kaggle / cluster | GPU h Kaggle / cluster | cut-offs |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows.OrderBy(r => r.Accounts).ThenBy(r => r.Seed))
        {
            var onCluster = row.Scheduler.Sessions.Where(s => s.Account == row.Cluster.Name).ToList();
            var onKaggle = row.Scheduler.Sessions.Where(s => s.Account != row.Cluster.Name).ToList();
            var ratios = row.Scheduler.Makespan is { } m ? Invariant($"{m / row.Bound.Value:0.000} / {m / row.RealisedBound.Value:0.000}") : "-";
            text.AppendLine(Invariant($"| {row.Accounts} Kaggle accounts + cluster ({row.Cluster.JobLimit} GPU jobs) | {row.Seed} | {Bound(row.Bound)} | {Bound(row.RealisedBound)} | {Span(row.Scheduler)} | {ratios} | {onKaggle.Count} / {onCluster.Count} | {Hours(onKaggle)} / {Hours(onCluster)} | {row.Scheduler.CutOffs} |"));
        }
        return text.ToString();

        static string Hours(IEnumerable<SimulatedSession> sessions) =>
            Invariant($"{sessions.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration).TotalHours:0.0}");
    }

    /// <summary>SteelCI's makespan over a baseline's (a baseline that never finishes counts as infinitely slow).</summary>
    public static double Versus(SimulationResult steelci, SimulationResult baseline) =>
        steelci.Makespan is not { } own ? double.PositiveInfinity : baseline.Makespan is { } other ? own / other : 0;

    private static string Worst(IEnumerable<BenchRow> rows, Func<BenchRow, double?> value)
    {
        var worst = rows.Select(r => (r.Seed, Value: value(r) ?? double.PositiveInfinity)).MaxBy(x => x.Value);
        return double.IsPositiveInfinity(worst.Value) ? Invariant($"not finished ({worst.Seed})") : Invariant($"{worst.Value:0.000} ({worst.Seed})");
    }

    private static string Bound(MixedLowerBound bound) =>
        Invariant($"{Short(bound.Value)} ({Short(bound.CriticalPath)} / {Short(bound.CapacityBound)})");

    private static string Bound(Simulation.LowerBound bound) =>
        Invariant($"{Short(bound.Value)} ({Short(bound.CriticalPath)} / {Short(bound.QuotaBound)})");

    private static string Ratios(BenchRow row, SimulationResult result) => result.Makespan is { } m
        ? Invariant($"{m / row.Bound.Value:0.000} / {m / row.RealisedBound.Value:0.000}")
        : "-";

    private static string Learning(EpochTimes learning) => learning switch
    {
        EpochTimes.Ignored => "never (configured estimates only)",
        EpochTimes.Live => "live from running sessions",
        _ => "from collected sessions",
    };

    private static string Span(SimulationResult result) => result.Makespan is { } m ? Short(m) : "not finished";
    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
