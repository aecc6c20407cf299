using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// What the pipeline file allows but no session can run: a stage that cannot resume and needs longer than one session,
/// or one epoch longer than a session. <c>validate</c> and <c>plan</c> refuse it (exit 2) before anything is scheduled.
/// </summary>
public static class Feasibility
{
    public static void Check(Pipeline pipeline)
    {
        var placer = new Placer(new SimulationOptions().Scheduler);
        var names = pipeline.Nodes.Select(n => n.Name).ToList();
        foreach (var node in pipeline.Nodes)
            if (placer.Unplaceable(StageWork.Of(node, names)) is { } problem)
                throw new UsageException($"{pipeline.SpecPath}: {problem} (budget of stage '{node.Name}', profile {pipeline.Profile})");
    }
}
