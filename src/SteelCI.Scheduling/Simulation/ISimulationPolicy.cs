namespace SteelCI.Scheduling.Simulation;

/// <summary>One way of placing work, driven by the simulator's ticks.</summary>
internal interface ISimulationPolicy
{
    List<string> Refusals { get; }

    void Ended(SimulatedSession session);

    Task PlaceAsync(DateTimeOffset now, StageTracker stages, CancellationToken cancellationToken);
}
