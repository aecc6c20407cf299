using System.Globalization;
using System.Text;
using Severstal.Data;
using Severstal.Metrics;
using Severstal.Models;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>
/// Entry point <c>submit</c>: combines the binary classifier, the multi-label classifier and the four segmenters.
/// A class is predicted on an image when the segmenter's mask passes its pixel threshold and minimum area and, if the
/// class is gated, both classifiers pass their thresholds. Whether to gate a class is chosen on the validation split
/// (gated unless the gate lowers that class's Dice there: at demo scale the binary classifier's accuracy went from
/// 0.96 to 0.74 between runs, and as a gate it cost the submission up to 0.08 while the segmenters alone decided
/// emptiness better), published as thresholds <c>gate_class1..4</c> (1 = gated). Scores the combination with the
/// competition metric at full resolution on the validation split, and writes submission.csv for test_images/.
/// </summary>
public static class SubmitStage
{
    public static StageOutcome Run(StageContext context)
    {
        var (folder, labels) = Inputs.Data(context);
        var models = PipelineModels.Load(context,
            context.Param("binary", "binary"), context.Param("multilabel", "multilabel"),
            context.Param("segmenters", "seg1,seg2,seg3,seg4").Split(','));
        var validation = SeverstalSet.SplitIds(labels).Validation;
        var ungated = models.PredictUngated(Path.Combine(folder, "train_images"), validation);
        var truths = ungated.Select(p => Enumerable.Range(1, TrainLabels.Classes)
            .Select(c => labels.Rle(p.Id, c) is { } rle ? Rle.Decode(rle) : null).ToArray()).ToList();
        double ClassDice(int c, bool gate) =>
            ungated.Select((p, i) => Dice.Pair(truths[i][c], gate && !p.Passed[c] ? null : p.Masks[c])).Sum();
        var gates = Enumerable.Range(0, TrainLabels.Classes).Select(c => ClassDice(c, true) >= ClassDice(c, false)).ToArray();
        var predicted = PipelineModels.Gate(ungated, gates);
        double score = 0, empty = 0;
        for (var i = 0; i < predicted.Count; i++)
            for (var c = 0; c < TrainLabels.Classes; c++)
            {
                score += Dice.Pair(truths[i][c], predicted[i].Masks[c]);
                empty += Dice.Pair(truths[i][c], null);
            }
        var pairs = Math.Max(1, predicted.Count * TrainLabels.Classes);
        context.Log($"validation: mean Dice {score / pairs:0.0000} over {pairs} pairs (all-empty: {empty / pairs:0.0000}); " +
            $"classifier gate on classes: {string.Join(",", Enumerable.Range(1, TrainLabels.Classes).Where(c => gates[c - 1]))}");

        var testFolder = Path.Combine(folder, "test_images");
        var testIds = Directory.Exists(testFolder)
            ? Directory.EnumerateFiles(testFolder, "*.jpg").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        WriteSubmission(Path.Combine(context.Output, "submission.csv"), SubmissionHeader(folder),
            PipelineModels.Gate(models.PredictUngated(testFolder, testIds), gates));
        return StageOutcome.Complete(1, new Dictionary<string, double>
        {
            ["val_dice"] = score / pairs,
            ["val_dice_all_empty"] = empty / pairs,
            ["val_images"] = predicted.Count,
            ["test_images"] = testIds.Count,
        }, Enumerable.Range(1, TrainLabels.Classes).ToDictionary(c => $"gate_class{c}", c => gates[c - 1] ? 1.0 : 0.0));
    }

    /// <summary>The sample submission's header when the dataset has one (both published layouts), else the current one.</summary>
    private static string SubmissionHeader(string folder)
    {
        var sample = Path.Combine(folder, "sample_submission.csv");
        var header = File.Exists(sample) ? File.ReadLines(sample).FirstOrDefault()?.Trim() : null;
        return header is "ImageId_ClassId,EncodedPixels" ? header : "ImageId,EncodedPixels,ClassId";
    }

    private static void WriteSubmission(string path, string header, List<(string Id, byte[]?[] Masks)> predictions)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var (id, masks) in predictions)
            for (var c = 1; c <= TrainLabels.Classes; c++)
            {
                var rle = masks[c - 1] is { } mask ? Rle.Encode(mask) : "";
                text.Append(header.StartsWith("ImageId_ClassId")
                    ? string.Create(CultureInfo.InvariantCulture, $"{id}_{c},{rle}\n")
                    : string.Create(CultureInfo.InvariantCulture, $"{id},{rle},{c}\n"));
            }
        File.WriteAllText(path, text.ToString());
    }
}
