using SteelCI.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// Runs epochs until done or until the next one would pass the deadline; then writes a partial checkpoint.
/// Every epoch seeds torch and the data order from (seed, epoch), so a run split over sessions ends with the same
/// weights as an uninterrupted one (same thread count, CPU).
/// </summary>
public static class EpochLoop
{
    /// <summary>Safety factor on the slowest epoch seen when deciding whether another fits before the deadline.</summary>
    public const double Headroom = 1.25;

    public static (OutputStatus Status, int EpochsDone) Run(StageContext context, nn.Module model, OptimizerHelper optimizer,
        int epochs, int seed, Action<int> trainEpoch)
    {
        var first = 0;
        var slowest = TimeSpan.Zero;
        if (context.ResumeDirectory is { } resume)
        {
            Checkpoint.LoadWeights(model, resume);
            var state = Checkpoint.LoadResume(resume, optimizer);
            first = state.EpochsDone;
            slowest = TimeSpan.FromSeconds(state.SecondsPerEpoch);
            context.Log($"resuming after epoch {first}/{epochs}");
        }

        for (var epoch = first; epoch < epochs; epoch++)
        {
            if (epoch > first || slowest > TimeSpan.Zero)
            {
                if (context.Remaining < slowest * Headroom)
                {
                    Checkpoint.SaveWeights(model, context.Output);
                    Checkpoint.SaveResume(context.Output, optimizer, new ResumeState(1, epoch, epochs, slowest.TotalSeconds));
                    context.Log($"stopping before the deadline after epoch {epoch}/{epochs}; checkpoint written");
                    return (OutputStatus.Partial, epoch);
                }
            }
            var started = context.Time.GetUtcNow();
            manual_seed(seed * 1000L + epoch);
            trainEpoch(epoch);
            var took = context.Time.GetUtcNow() - started;
            if (took > slowest)
                slowest = took;
        }
        return (OutputStatus.Complete, epochs);
    }
}
