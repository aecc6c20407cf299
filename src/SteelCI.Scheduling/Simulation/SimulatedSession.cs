namespace SteelCI.Scheduling.Simulation;

/// <summary>How a simulated session ended.</summary>
public enum SessionEnd
{
    /// <summary>Its chunk finished; the checkpoint was published.</summary>
    Completed,
    /// <summary>The trainer's own deadline came first: it kept its finished epochs and lost the one in progress.</summary>
    TrainerDeadline,
    /// <summary>The platform stopped it at the session limit; its files are lost.</summary>
    SessionLimit,
    /// <summary>The platform stopped it when the account ran out of quota; its files are lost.</summary>
    QuotaExhausted,
    /// <summary>Still running when the forecast ended.</summary>
    Running,
}

/// <summary>One session of a simulation or forecast: what ran where, when, how it ended and the GPU time it lost.</summary>
public sealed record SimulatedSession(
    int Id,
    string Account,
    string Stage,
    int FromEpoch,
    int EpochsPlanned,
    int EpochsDone,
    DateTimeOffset Start,
    DateTimeOffset End,
    SessionEnd Reason,
    TimeSpan Lost)
{
    public TimeSpan Duration => End - Start;
    /// <summary>Where the session started and stopped in fractional epochs (the simulator resumes inside an epoch); null where only whole epochs are known.</summary>
    public double? FromExact { get; init; }
    public double? ToExact { get; init; }
}
