using Severstal.Data;
using SteelCI.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>
/// The step trainer the classifier and segmenter stages share: the epoch's plan (<see cref="EpochPlan"/>) fed
/// through a background <see cref="BatchLoader"/>, one optimizer step per batch inside a dispose scope.
/// </summary>
internal sealed class SampleTrainer(
    nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, ISampleSource samples, int batchSize, int seed, int prefetch,
    Func<int[], IReadOnlyList<(bool H, bool V)>, int, PreparedBatch> prepare,
    Func<Tensor, Tensor, Tensor> loss, Action<string> log, Device? device = null, LearningRate? schedule = null,
    Func<IReadOnlyDictionary<string, double>>? validate = null) : IStepTrainer, IDisposable
{
    private BatchLoader? _loader;

    public int StepsPerEpoch => EpochPlan.Steps(samples.Count, batchSize);

    public string DataOrder => EpochPlan.Describe(samples.Count, batchSize);

    public void BeginEpoch(int epoch, int firstStep)
    {
        _loader?.Dispose();
        model.train();
        _loader = new BatchLoader(EpochPlan.Create(samples.Count, batchSize, seed, epoch), firstStep, prefetch, prepare);
    }

    public double Step(int epoch, int step)
    {
        using var batch = _loader!.Next(step);
        if (schedule is not null)
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = schedule.At(epoch, step, StepsPerEpoch);
        using var scope = NewDisposeScope();
        var input = batch.Input.to(device ?? CPU);
        var target = batch.Target.to(device ?? CPU);
        optimizer.zero_grad();
        var value = loss(model.forward(input), target);
        value.backward();
        optimizer.step();
        return value.item<float>();
    }

    /// <summary>Logs the epoch and measures the validation metrics for the learning curve (<paramref name="validate"/>, if given).</summary>
    public IReadOnlyDictionary<string, double> EndEpoch(int epoch, double meanLoss, int steps)
    {
        var metrics = validate?.Invoke() ?? new Dictionary<string, double>();
        log($"epoch {epoch + 1}: loss {meanLoss:0.0000} over {steps} steps" +
            string.Concat(metrics.Select(m => $", {m.Key} {m.Value:0.0000}")));
        return metrics;
    }

    public void Dispose() => _loader?.Dispose();
}

/// <summary>
/// The learning rate as a pure function of the position (param <c>lr_schedule</c>): <c>constant</c>, or <c>cosine</c>
/// from <c>lr</c> down to <c>lr * lr_min_factor</c> over all steps after <c>warmup_epochs</c> of linear warm-up.
/// Being a function of (epoch, step), it resumes exactly with nothing stored.
/// </summary>
public sealed record LearningRate(string Kind, double Base, int Epochs, double WarmupEpochs = 0, double MinFactor = 0.01)
{
    public double At(int epoch, int step, int stepsPerEpoch)
    {
        var position = epoch + step / (double)stepsPerEpoch;
        if (Kind == "constant")
            return Base;
        if (position < WarmupEpochs)
            return Base * (position + 1.0 / stepsPerEpoch) / WarmupEpochs;
        var progress = Math.Clamp((position - WarmupEpochs) / Math.Max(1e-9, Epochs - WarmupEpochs), 0, 1);
        return Base * (MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    public static LearningRate FromParams(StageContext context, double fallback)
    {
        var kind = context.Param("lr_schedule", "constant");
        if (kind is not ("constant" or "cosine"))
            throw new BadInputException($"stage {context.Config.Stage}: param 'lr_schedule' = '{kind}' is not constant or cosine");
        return new LearningRate(kind, context.Double("lr", fallback), context.Config.Epochs,
            context.Double("warmup_epochs", 0), context.Double("lr_min_factor", 0.01));
    }
}

/// <summary>
/// Scalars the loss uses, held in static fields for the life of the process. TorchSharp frees a Scalar in its
/// finalizer; one created implicitly (<c>tensor * 2</c>) is unreachable once its handle is passed to libtorch, so a
/// collection during the native call can free it under libtorch (docs/training.md, "Scalars on the hot path").
/// </summary>
public static class RootedScalars
{
    public static readonly Scalar Zero = 0.0;
    public static readonly Scalar One = 1.0;
    public static readonly Scalar Two = 2.0;
}

/// <summary>Prediction, losses and the stage options the classifier and segmenter stages share.</summary>
public static class Training
{
    /// <summary>Sigmoid outputs for every sample, flattened per sample.</summary>
    public static List<float[]> Predict(nn.Module<Tensor, Tensor> model, List<Sample> samples, int height, int width, int batchSize = 16,
        Device? device = null)
    {
        model.eval();
        var results = new List<float[]>();
        using var noGrad = no_grad();
        for (var start = 0; start < samples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = samples.Skip(start).Take(batchSize).ToList();
            var probabilities = nn.functional.sigmoid(model.forward(Batches.Images(chunk, height, width).to(device ?? CPU))).cpu();
            var flat = probabilities.reshape(chunk.Count, -1).data<float>().ToArray();
            var size = flat.Length / chunk.Count;
            for (var b = 0; b < chunk.Count; b++)
                results.Add(flat[(b * size)..((b + 1) * size)]);
        }
        return results;
    }

    /// <summary>
    /// Soft Dice loss per image, 1 - (2|P∩T| + 1) / (|P| + |T| + 1), averaged over the images of the batch that have
    /// the class (0 when none has). On an image without the class the term is 1 - 1/(|P| + 1): it stays near 1 and its
    /// gradient vanishes (1/(|P| + 1)²) as soon as a few pixels light up, so averaging it in only adds a constant and
    /// dilutes the positives; false positives on empty images are BCE's job.
    /// </summary>
    public static Tensor DiceLoss(Tensor logits, Tensor target)
    {
        var probabilities = nn.functional.sigmoid(logits);
        var truth = target.sum([1, 2, 3]);
        var intersection = (probabilities * target).sum([1, 2, 3]);
        var union = probabilities.sum([1, 2, 3]) + truth;
        // 1 - (2 * intersection + 1) / (union + 1), with rooted Scalars (RootedScalars)
        var perImage = intersection.mul(RootedScalars.Two).add(RootedScalars.One).div(union.add(RootedScalars.One)).neg().add(RootedScalars.One);
        var positive = truth.gt(RootedScalars.Zero).to(perImage.dtype);
        return (perImage * positive).sum() / positive.sum().clamp_min(RootedScalars.One);
    }

    /// <summary>bce_weight x BCE (every pixel) + dice_weight x Dice (images with the class), both 1 unless the params say otherwise.</summary>
    public static Func<Tensor, Tensor, Tensor> SegmentationLoss(double bceWeight, double diceWeight)
    {
        // Held by the closure for as long as the loss is used: never finalized during a native call.
        Scalar bce = bceWeight, dice = diceWeight;
        return (logits, target) =>
            nn.functional.binary_cross_entropy_with_logits(logits, target).mul(bce).add(DiceLoss(logits, target).mul(dice));
    }

    public static string Arch(StageContext context)
    {
        var arch = context.Param("arch", "small");
        return Severstal.Models.ModelSpec.Archs.Contains(arch)
            ? arch
            : throw new BadInputException($"stage {context.Config.Stage}: param 'arch' = '{arch}' is not one of {string.Join(", ", Severstal.Models.ModelSpec.Archs)}");
    }

    /// <summary>Training samples: preloaded (default) or decoded per batch (param <c>preload: false</c>, flat memory).</summary>
    public static ISampleSource Source(StageContext context, string folder, TrainLabels labels, IReadOnlyList<string> ids, int height, int width) =>
        context.Param("preload", "true") == "false"
            ? new LazySamples(folder, labels, ids, height, width)
            : new PreloadedSamples(SeverstalSet.Load(folder, labels, ids, height, width), height, width);

    public static TimeSpan CheckpointEvery(StageContext context) => TimeSpan.FromMinutes(context.Double("checkpoint_minutes", 30));
}
