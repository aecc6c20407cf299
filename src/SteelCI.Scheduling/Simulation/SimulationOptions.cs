using SteelCI.Scheduling.Placement;
using SteelCI.Contracts;

namespace SteelCI.Scheduling.Simulation;

/// <summary>What the simulator assumes beyond the scheduler's own options.</summary>
public sealed record SimulationOptions
{
    public SchedulerOptions Scheduler { get; init; } = new();
    /// <summary>How often the reconcile tick runs (the scheduled workflow's period).</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshPeriod { get; init; } = PlatformRules.QuotaRefreshPeriod;
    /// <summary>Each stage runs at a speed factor drawn from [1 − Jitter, 1 + Jitter] of its estimate, each epoch ±Jitter/3 around that (<see cref="RealisedSpeeds"/>); 0 runs them exactly as estimated.</summary>
    public double Jitter { get; init; }
    /// <summary>When SteelCI's scheduler learns the epoch times: from collected sessions (today's tick), live, or never.</summary>
    public EpochTimes Learning { get; init; } = EpochTimes.AtCollection;
    public int Seed { get; init; } = 1;
    /// <summary>Where a cut-off resumable stage can resume inside an epoch: 10 = tenths (the trainer saves its step at the deadline); 1 = whole epochs only.</summary>
    public int CheckpointsPerEpoch { get; init; } = 10;
    /// <summary>A simulation that has not finished by then stops and says so.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7 * 26);
}

/// <summary>What SteelCI's scheduler knows of measured epoch times when it places work.</summary>
public enum EpochTimes
{
    /// <summary>Only the configured estimates (the scheduler before issue 18).</summary>
    Ignored,
    /// <summary>The epochs of sessions already collected (the tick reads them from the published checkpoint).</summary>
    AtCollection,
    /// <summary>Also the epochs running sessions have finished (a live log).</summary>
    Live,
}

/// <summary>The ways of placing work the simulator compares.</summary>
public enum Strategy
{
    /// <summary>SteelCI's scheduler over every account.</summary>
    Scheduler,
    /// <summary>SteelCI's scheduler, but every stage on the first account.</summary>
    OneAccount,
    /// <summary>Stage i pinned to account i mod n, twelve-hour chunks pushed whenever a slot is free, quota ignored.</summary>
    RoundRobinIgnoringQuota,
    /// <summary>Quota-aware greedy: the longest remaining stage first, on the account with the most hours left; configured estimates only.</summary>
    Greedy,
}

/// <summary>Where a simulation or forecast begins: the stages and their checkpoints, the accounts, sessions already running.</summary>
public sealed record SimulationSetup(DateTimeOffset Start, IReadOnlyList<StageWork> Stages, IReadOnlyList<SimulatedAccountState> Accounts)
{
    public IReadOnlyDictionary<string, int> EpochsDone { get; init; } = new Dictionary<string, int>();
    /// <summary>Sessions the ledger knows are running (a forecast from the current state); they run as estimated.</summary>
    public IReadOnlyList<Accounts.LedgerSession> Running { get; init; } = [];
    /// <summary>Slurm clusters beside the Kaggle accounts (a mixed plan); only SteelCI's scheduler uses them.</summary>
    public IReadOnlyList<ClusterSettings> Clusters { get; init; } = [];

    /// <summary>Accounts at the start of a quota week, unused.</summary>
    public static SimulationSetup Fresh(DateTimeOffset start, IReadOnlyList<StageWork> stages, IEnumerable<Accounts.AccountSettings> accounts,
        TimeSpan weeklyQuota, TimeSpan refreshPeriod) =>
        new(start, stages, accounts.Select(a => new SimulatedAccountState(a, weeklyQuota, TimeSpan.Zero, start + refreshPeriod)).ToList());
}
