using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>One row of the simulator table: the bound and the three strategies for one number of accounts.</summary>
public sealed record BenchRow(int Accounts, LowerBound Bound, SimulationResult Scheduler, SimulationResult OneAccount, SimulationResult RoundRobin);

/// <summary>Runs the Severstal plan for 1 to n accounts under the three strategies.</summary>
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
            rows.Add(new BenchRow(count, bound,
                await simulator.RunAsync(setup, Strategy.Scheduler, cancellationToken),
                await simulator.RunAsync(setup, Strategy.OneAccount, cancellationToken),
                await simulator.RunAsync(setup, Strategy.RoundRobinIgnoringQuota, cancellationToken)));
        }
        return rows;
    }
}
