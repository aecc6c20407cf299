using SteelCI.Contracts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// One stage's training, step by step. The loop owns the position (epoch, step), the deadline and the checkpoints;
/// the trainer owns the data and the optimizer step. The data order and augmentation of an epoch must be a pure
/// function of (seed, epoch) (<see cref="BeginEpoch"/> is told where to start), and torch is reseeded from
/// (seed, epoch) at every epoch start, so a checkpoint only needs the position, the weights, the optimizer state and
/// torch's generator state to continue bit-exactly.
/// </summary>
public interface IStepTrainer
{
    int StepsPerEpoch { get; }

    /// <summary>Describes the data order so that a resume with other data is refused (e.g. <c>shuffle/n=400/batch=8</c>).</summary>
    string DataOrder { get; }

    /// <summary>Prepares epoch <paramref name="epoch"/> starting at step <paramref name="firstStep"/> (non-zero when resuming).</summary>
    void BeginEpoch(int epoch, int firstStep);

    /// <summary>One optimizer step; returns the loss.</summary>
    double Step(int epoch, int step);

    /// <summary>After the last step of an epoch; returns the validation metrics measured now (empty when none), for the learning curve.</summary>
    IReadOnlyDictionary<string, double> EndEpoch(int epoch, double meanLoss, int steps);
}

/// <summary>
/// Runs steps until done or until the next step would pass the deadline; then writes a partial checkpoint. With
/// <c>checkpointEvery</c> it also writes one (and a partial manifest) every so often, so a session killed from
/// outside loses at most that much work. A run split over sessions ends with the same weights as an uninterrupted
/// one (same thread count, CPU). Every epoch adds a row to the stage's <see cref="LearningCurve"/>, written with each checkpoint and at the end.
/// </summary>
public static class EpochLoop
{
    /// <summary>Safety factor on the slowest step seen when deciding whether another fits before the deadline.</summary>
    public const double Headroom = 1.25;

    public static (OutputStatus Status, int EpochsDone) Run(StageContext context, nn.Module model, OptimizerHelper optimizer,
        int epochs, int seed, Action<int> trainEpoch) =>
        Run(context, model, optimizer, epochs, seed, new WholeEpochs(trainEpoch), checkpointEvery: TimeSpan.Zero);

    public static (OutputStatus Status, int EpochsDone) Run(StageContext context, nn.Module model, OptimizerHelper optimizer,
        int epochs, int seed, IStepTrainer trainer, TimeSpan checkpointEvery)
    {
        var steps = trainer.StepsPerEpoch;
        if (steps <= 0)
            throw new BadInputException($"stage {context.Config.Stage}: no training batches (steps per epoch = {steps})");
        int epoch = 0, step = 0;
        var slowest = TimeSpan.Zero;
        double lossSum = 0;
        string? rng = null;
        if (context.ResumeDirectory is { } resume)
        {
            Checkpoint.LoadWeights(model, resume);
            var state = Checkpoint.LoadResume(resume, optimizer);
            if (state.EpochsTotal != epochs)
                context.Log($"warning: the checkpoint was written for {state.EpochsTotal} epochs, this run has {epochs}");
            (epoch, step, lossSum, rng) = (state.EpochsDone, state.Step, state.EpochLossSum, state.TorchRngState);
            slowest = TimeSpan.FromSeconds(state.Format >= 2 ? state.SecondsPerStep : state.SecondsPerEpoch / steps);
            if (step > 0 && (state.StepsPerEpoch != steps || state.DataOrder != trainer.DataOrder))
                throw new BadInputException($"{resume}: the checkpoint stopped inside an epoch of '{state.DataOrder}' ({state.StepsPerEpoch} steps); " +
                    $"this run's data is '{trainer.DataOrder}' ({steps} steps), so it cannot continue exactly");
            context.Log(step > 0 ? $"resuming in epoch {epoch + 1}/{epochs} at step {step}/{steps}" : $"resuming after epoch {epoch}/{epochs}");
        }

        var curve = context.ResumeDirectory is { } earlier ? LearningCurve.Read(earlier, epoch) : new LearningCurve();
        var lastCheckpoint = context.Time.GetUtcNow();
        ResumeState Position() => new(ResumeState.CurrentFormat, epoch, epochs, slowest.TotalSeconds * steps)
        {
            Step = step, StepsPerEpoch = steps, SecondsPerStep = slowest.TotalSeconds, DataOrder = trainer.DataOrder,
            TorchRngState = step > 0 ? Checkpoint.EncodeRng(get_rng_state()) : null, EpochLossSum = lossSum,
            WrittenUtc = context.Time.GetUtcNow(),
        };

        for (; epoch < epochs; epoch++, step = 0, lossSum = 0)
        {
            if (step == 0)
                manual_seed(seed * 1000L + epoch);
            else if (rng is not null)
            {
                using var state = Checkpoint.DecodeRng(rng);
                set_rng_state(state);
            }
            rng = null;
            trainer.BeginEpoch(epoch, step);
            for (; step < steps; step++)
            {
                if (slowest > TimeSpan.Zero && context.Remaining < slowest * Headroom)
                {
                    Save(context, model, optimizer, Position(), curve, Finishing(context)); // renamed with the partial manifest the host writes
                    context.Log($"stopping before the deadline in epoch {epoch + 1}/{epochs} at step {step}/{steps}; checkpoint written");
                    return (OutputStatus.Partial, epoch);
                }
                if (checkpointEvery > TimeSpan.Zero && context.Time.GetUtcNow() - lastCheckpoint >= checkpointEvery)
                {
                    var pending = new PendingFiles(); // the previous checkpoint stays whole until this one is
                    Save(context, model, optimizer, Position(), curve, pending);
                    ManifestWriter.Write(context, new StageOutcome(OutputStatus.Partial, new Progress(epoch, epochs),
                        new Dictionary<string, double>(), new Dictionary<string, double>()), context.DeviceName, pending);
                    context.Log($"periodic checkpoint in epoch {epoch + 1}/{epochs} at step {step}/{steps}");
                    lastCheckpoint = context.Time.GetUtcNow();
                }
                var started = context.Time.GetUtcNow();
                lossSum += trainer.Step(epoch, step);
                var took = context.Time.GetUtcNow() - started;
                if (took > slowest)
                    slowest = took;
            }
            curve.Add(epoch + 1, lossSum / steps, trainer.EndEpoch(epoch, lossSum / steps, steps));
        }
        // A periodic checkpoint (resume files and a partial manifest) stays whole until the complete manifest replaces it,
        // which then leaves the resume files out and deletes them: a finished stage publishes its model only.
        curve.Write(context.Output, Finishing(context));
        return (OutputStatus.Complete, epochs);
    }

    private static void Save(StageContext context, nn.Module model, OptimizerHelper optimizer, ResumeState state, LearningCurve curve,
        PendingFiles? pending = null)
    {
        curve.Write(context.Output, pending); // with the checkpoint, never between: a partial manifest lists the files as they stay
        Checkpoint.SaveWeights(model, context.Output, pending: pending);
        Checkpoint.SaveResume(context.Output, optimizer, state, pending);
    }

    /// <summary>Once a periodic checkpoint exists, the files the stage ends with wait beside it for the host's manifest (<see cref="StageContext.Finishing"/>).</summary>
    private static PendingFiles? Finishing(StageContext context) =>
        context.Finishing = File.Exists(Path.Combine(context.Output, Manifest.FileName)) ? new PendingFiles() : null;

    /// <summary>The epoch-granular form: one "step" is a whole epoch.</summary>
    private sealed class WholeEpochs(Action<int> trainEpoch) : IStepTrainer
    {
        public int StepsPerEpoch => 1;
        public string DataOrder => "epoch";
        public void BeginEpoch(int epoch, int firstStep) { }
        public double Step(int epoch, int step)
        {
            trainEpoch(epoch);
            return 0;
        }
        public IReadOnlyDictionary<string, double> EndEpoch(int epoch, double meanLoss, int steps) => new Dictionary<string, double>();
    }
}
