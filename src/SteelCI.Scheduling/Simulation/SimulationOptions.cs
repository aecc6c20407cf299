using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>What the simulator assumes beyond the scheduler's own options.</summary>
public sealed record SimulationOptions
{
    public SchedulerOptions Scheduler { get; init; } = new();
    /// <summary>How often the reconcile tick runs (the scheduled workflow's period).</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshPeriod { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Each session runs its epochs at a speed factor drawn from [1 − Jitter, 1 + Jitter]; 0 runs them exactly as estimated.</summary>
    public double Jitter { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>A simulation that has not finished by then stops and says so.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7 * 26);
}

/// <summary>The three ways of placing work the simulator compares.</summary>
public enum Strategy
{
    /// <summary>SteelCI's scheduler over every account.</summary>
    Scheduler,
    /// <summary>SteelCI's scheduler, but every stage on the first account.</summary>
    OneAccount,
    /// <summary>Stage i pinned to account i mod n, twelve-hour chunks pushed whenever a slot is free, quota ignored.</summary>
    RoundRobinIgnoringQuota,
}

/// <summary>Where a simulation or forecast begins: the stages and their checkpoints, the accounts, sessions already running.</summary>
public sealed record SimulationSetup(DateTimeOffset Start, IReadOnlyList<StageWork> Stages, IReadOnlyList<SimulatedAccountState> Accounts)
{
    public IReadOnlyDictionary<string, int> EpochsDone { get; init; } = new Dictionary<string, int>();
    /// <summary>Sessions the ledger knows are running (a forecast from the current state); they run as estimated.</summary>
    public IReadOnlyList<Accounts.LedgerSession> Running { get; init; } = [];

    /// <summary>Accounts at the start of a quota week, unused.</summary>
    public static SimulationSetup Fresh(DateTimeOffset start, IReadOnlyList<StageWork> stages, IEnumerable<Accounts.AccountSettings> accounts,
        TimeSpan weeklyQuota, TimeSpan refreshPeriod) =>
        new(start, stages, accounts.Select(a => new SimulatedAccountState(a, weeklyQuota, TimeSpan.Zero, start + refreshPeriod)).ToList());
}
