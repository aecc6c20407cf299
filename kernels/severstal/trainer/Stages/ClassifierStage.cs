using TorchSharp;
using Severstal.Data;
using Severstal.Models;
using SteelCI.Contracts;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>
/// Entry points <c>binary</c> (defect / no defect, every image) and <c>multilabel</c> (which of the four classes, images
/// with defects). Thresholds per output are chosen on the validation split and saved in the manifest.
/// </summary>
public static class ClassifierStage
{
    public static StageOutcome Binary(StageContext context) => Run(context, multiLabel: false);

    public static StageOutcome MultiLabel(StageContext context) => Run(context, multiLabel: true);

    private static StageOutcome Run(StageContext context, bool multiLabel)
    {
        var (folder, labels) = Inputs.Data(context);
        var (height, width) = Inputs.Resolution(context);
        int batch = context.Int("batch", 16), channels = context.Int("channels", 8), seed = context.Int("seed", 1);
        var maxImages = context.Int("max_images", int.MaxValue);
        var (trainIds, valIds) = SeverstalSet.SplitIds(labels);
        if (multiLabel)
        {
            trainIds = trainIds.Where(labels.HasAny).ToList();
            valIds = valIds.Where(labels.HasAny).ToList();
        }
        var arch = Training.Arch(context);
        var train = Training.Source(context, folder, labels, trainIds.Take(maxImages).ToList(), height, width);
        var validation = SeverstalSet.Load(folder, labels, valIds.Take(context.Int("max_val_images", maxImages)), height, width);
        if (train.Count == 0 || validation.Count == 0)
            throw new BadInputException($"stage {context.Config.Stage}: {train.Count} training and {validation.Count} validation images; both must be non-empty");
        context.Log($"{arch}: {train.Count} training and {validation.Count} validation images at {width}x{height}");

        var outputs = multiLabel ? TrainLabels.Classes : 1;
        float[] Target(Sample s) => multiLabel
            ? Enumerable.Range(1, TrainLabels.Classes).Select(c => s.Has(c) ? 1f : 0f).ToArray()
            : [s.HasAny ? 1f : 0f];
        float[] TargetAt(int index) => multiLabel
            ? Enumerable.Range(1, TrainLabels.Classes).Select(c => train.Has(index, c) ? 1f : 0f).ToArray()
            : [Enumerable.Range(1, TrainLabels.Classes).Any(c => train.Has(index, c)) ? 1f : 0f];

        manual_seed(seed);
        using var model = ModelSpec.Classifier(arch, outputs, channels);
        model.to(context.Device);
        using var optimizer = new RootedAdam(model.parameters(), context.Double("lr", 2e-3));
        using var trainer = new SampleTrainer(model, optimizer, train, batch, seed, context.Int("prefetch", 2),
            (indices, flips, step) => Batches.Classification(train, indices, flips, step, height, width, TargetAt),
            (logits, target) => nn.functional.binary_cross_entropy_with_logits(logits, target),
            context.Log, context.Device, LearningRate.FromParams(context, 2e-3),
            validate: () => new Dictionary<string, double> { ["val_accuracy"] = Choose(model, validation, outputs, Target, height, width, context.Device).Accuracy });
        var (status, done) = EpochLoop.Run(context, model, optimizer, context.Config.Epochs, seed, trainer, Training.CheckpointEvery(context));
        if (status == OutputStatus.Partial)
            return new StageOutcome(status, new Progress(done, context.Config.Epochs), new Dictionary<string, double>(), new Dictionary<string, double>());

        Checkpoint.SaveWeights(model, context.Output, pending: context.Finishing); // beside the last periodic checkpoint until the manifest
        new ModelSpec(multiLabel ? "multilabel" : "binary", outputs, channels, height, width) { Arch = arch }.Save(context.Output);
        var (thresholds, accuracy) = Choose(model, validation, outputs, Target, height, width, context.Device);
        return StageOutcome.Complete(context.Config.Epochs,
            new Dictionary<string, double> { ["val_accuracy"] = accuracy, ["val_images"] = validation.Count },
            thresholds);
    }

    /// <summary>Per output the threshold (0.05..0.85) with the best validation accuracy; and the mean of those accuracies.</summary>
    private static (Dictionary<string, double> Thresholds, double Accuracy) Choose(nn.Module<Tensor, Tensor> model, List<Sample> validation,
        int outputs, Func<Sample, float[]> target, int height, int width, Device device)
    {
        var predictions = Training.Predict(model, validation, height, width, device: device);
        var thresholds = new Dictionary<string, double>();
        var accuracies = new List<double>();
        for (var o = 0; o < outputs; o++)
        {
            var truth = validation.Select(s => target(s)[o] > 0.5f).ToList();
            var scores = predictions.Select(p => p[o]).ToList();
            var (threshold, accuracy) = Enumerable.Range(1, 17).Select(i => i * 0.05)
                .Select(t => (t, truth.Zip(scores).Count(x => x.First == x.Second >= t) / (double)truth.Count))
                .MaxBy(x => x.Item2);
            thresholds[outputs == 1 ? "defect" : $"class{o + 1}"] = threshold;
            accuracies.Add(accuracy);
        }
        return (thresholds, accuracies.Average());
    }
}
