using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// One row of the simulator table: both bounds and the three schedulers for one number of accounts and one seed.
/// <see cref="Bound"/> assumes every epoch takes its estimate; <see cref="RealisedBound"/> uses the epoch times the
/// sessions actually had (<see cref="RealisedSpeeds"/>, the same for every scheduler): the best any scheduler knowing
/// them could have done, the fair yardstick when the estimates are wrong.
/// </summary>
public sealed record BenchRow(int Accounts, int Seed, LowerBound Bound, LowerBound RealisedBound, SimulationResult Scheduler,
    SimulationResult RoundRobin, SimulationResult Greedy)
{
    public double? Ratio(SimulationResult result) => result.Makespan is { } m ? m / RealisedBound.Value : null;
}

/// <summary>
/// The mixed row: SteelCI's scheduler on Kaggle accounts and a cluster together, against <see cref="MixedLowerBound"/>
/// from the estimated and from the realised epoch times.
/// </summary>
public sealed record MixedRow(int Accounts, ClusterSettings Cluster, int Seed, MixedLowerBound Bound, MixedLowerBound RealisedBound,
    SimulationResult Scheduler)
{
    public double? Ratio => Scheduler.Makespan is { } m ? m / RealisedBound.Value : null;
}

/// <summary>Runs the Severstal plan for each number of accounts (and each seed) under SteelCI, round-robin and greedy.</summary>
public static class SimulationBench
{
    public static async Task<IReadOnlyList<BenchRow>> RunAsync(IEnumerable<int> accountCounts, SimulationOptions options,
        CancellationToken cancellationToken = default)
    {
        var simulator = new Simulator(options);
        var rows = new List<BenchRow>();
        foreach (var count in accountCounts)
        {
            var setup = SeverstalPlan.Setup(count, options.RefreshPeriod);
            var bound = LowerBound.Compute(setup.Stages, setup.Accounts, options.Scheduler, options.RefreshPeriod);
            var realised = new RealisedSpeeds(setup.Stages, options.Jitter, options.Seed).Realised(setup.Stages);
            var realisedBound = LowerBound.Compute(realised, setup.Accounts, options.Scheduler, options.RefreshPeriod);
            rows.Add(new BenchRow(count, options.Seed, bound, realisedBound,
                await simulator.RunAsync(setup, Strategy.Scheduler, cancellationToken),
                await simulator.RunAsync(setup, Strategy.RoundRobinIgnoringQuota, cancellationToken),
                await simulator.RunAsync(setup, Strategy.Greedy, cancellationToken)));
        }
        return rows;
    }

    /// <summary>The Severstal plan with every stage free to run on <paramref name="accounts"/> Kaggle accounts or <paramref name="cluster"/>.</summary>
    public static async Task<MixedRow> RunMixedAsync(int accounts, ClusterSettings cluster, SimulationOptions options,
        CancellationToken cancellationToken = default)
    {
        var setup = SeverstalPlan.MixedSetup(accounts, cluster, options.RefreshPeriod);
        var bound = MixedLowerBound.Compute(setup.Stages, setup.Accounts, setup.Clusters, options.Scheduler, options.RefreshPeriod);
        var realised = new RealisedSpeeds(setup.Stages, options.Jitter, options.Seed).Realised(setup.Stages);
        var realisedBound = MixedLowerBound.Compute(realised, setup.Accounts, setup.Clusters, options.Scheduler, options.RefreshPeriod);
        return new MixedRow(accounts, cluster, options.Seed, bound, realisedBound,
            await new Simulator(options).RunAsync(setup, Strategy.Scheduler, cancellationToken));
    }

    /// <summary>The same for several seeds (one run per seed and number of accounts).</summary>
    public static async Task<IReadOnlyList<BenchRow>> RunAsync(IEnumerable<int> accountCounts, IEnumerable<int> seeds, SimulationOptions options,
        CancellationToken cancellationToken = default)
    {
        var counts = accountCounts.ToList();
        var rows = new List<BenchRow>();
        foreach (var seed in seeds)
            rows.AddRange(await RunAsync(counts, options with { Seed = seed }, cancellationToken));
        return rows;
    }
}
