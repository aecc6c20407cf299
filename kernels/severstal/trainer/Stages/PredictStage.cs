using System.Globalization;
using System.Text;
using Severstal.Data;
using Severstal.Metrics;
using Severstal.Models;
using StbImageSharp;
using StbImageWriteSharp;
using SteelCI.Training;
using TorchSharp;

namespace Severstal.Stages;

/// <summary>
/// Entry point <c>predict</c> (run by <c>steelci predict</c>, never by a pipeline): the trained models on a folder of new
/// images. Input <c>images</c> (param <c>images</c> renames it) holds .jpg/.jpeg/.png files. Two modes:
/// <list type="bullet">
/// <item>the whole pipeline (default): inputs named by params <c>binary</c>, <c>multilabel</c> and <c>segmenters</c>
/// (defaults binary, multilabel, seg1..seg4), combined exactly as the <c>submit</c> stage does, with the classes it
/// chose to gate: params <c>gate_class1..4</c> (1 = gated, 0 = the segmenter alone; default 1), which
/// <c>steelci predict</c> copies from the submission release's thresholds;</item>
/// <item>one segmenter (param <c>segmenter</c> = an input name): that model's mask for its class, no classifiers.</item>
/// </list>
/// Writes <c>submission.csv</c> (ImageId,EncodedPixels,ClassId) and <c>overlays/&lt;image&gt;.png</c>: the image in gray
/// at its own size, each predicted mask pixel tinted with its class colour (<see cref="Tints"/>).
/// </summary>
public static class PredictStage
{
    public const string OverlayFolder = "overlays";
    public const string SubmissionFile = "submission.csv";

    /// <summary>Class colours (classes 1..4): red, green, blue, yellow. A tinted pixel is never gray (R, G, B not all equal).</summary>
    public static readonly (byte R, byte G, byte B)[] Tints = [(255, 0, 0), (0, 200, 0), (0, 90, 255), (255, 210, 0)];

    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    public static StageOutcome Run(StageContext context)
    {
        var folder = context.Input(context.Param("images", "images"));
        var ids = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            throw new BadInputException($"stage {context.Config.Stage}: no .jpg, .jpeg or .png images in {folder}");

        List<(string Id, byte[]?[] Masks)> predictions;
        try
        {
            var segmenter = context.Param("segmenter", "");
            predictions = segmenter.Length > 0
                ? SegmenterOnly(context, segmenter, folder, ids)
                : PipelineModels.Load(context, context.Param("binary", "binary"), context.Param("multilabel", "multilabel"),
                    context.Param("segmenters", "seg1,seg2,seg3,seg4").Split(',')).Predict(folder, ids, Gates(context));
        }
        catch (InvalidDataException error) // an image the models cannot read at their resolution
        {
            throw new BadInputException(error.Message);
        }

        WriteSubmission(Path.Combine(context.Output, SubmissionFile), predictions);
        var overlays = Directory.CreateDirectory(Path.Combine(context.Output, OverlayFolder)).FullName;
        foreach (var (id, masks) in predictions)
            WriteOverlay(Path.Combine(folder, id), masks, Path.Combine(overlays, OverlayName(id)));

        var metrics = new Dictionary<string, double>
        {
            ["images"] = predictions.Count,
            ["images_with_defects"] = predictions.Count(p => p.Masks.Any(m => m is not null)),
        };
        for (var c = 0; c < TrainLabels.Classes; c++)
            metrics[$"class{c + 1}_images"] = predictions.Count(p => p.Masks[c] is not null);
        context.Log($"{predictions.Count} image(s), {metrics["images_with_defects"]} with a predicted defect; overlays in {OverlayFolder}/");
        return StageOutcome.Complete(1, metrics);
    }

    /// <summary>Which classes the classifiers gate: params gate_class1..4, 1 (default) or 0.</summary>
    private static bool[] Gates(StageContext context) =>
        Enumerable.Range(1, TrainLabels.Classes).Select(c => context.Param($"gate_class{c}", "1").Trim() switch
        {
            "1" or "1.0" => true,
            "0" or "0.0" => false,
            var other => throw new BadInputException($"stage {context.Config.Stage}: param gate_class{c} must be 1 (gated) or 0, not '{other}'"),
        }).ToArray();

    /// <summary>overlays/abc.jpg -> abc.png.</summary>
    public static string OverlayName(string imageId) => Path.GetFileNameWithoutExtension(imageId) + ".png";

    /// <summary>
    /// The overlay of one image: gray at the image's own size; a pixel whose place in a class's mask (256x1600, scaled
    /// to the image by nearest neighbour) is set becomes (gray + 2 x class colour) / 3; the last class wins.
    /// </summary>
    public static byte[] Overlay(byte[] gray, int height, int width, byte[]?[] masks)
    {
        var rgb = new byte[height * width * 3];
        for (var y = 0; y < height; y++)
        {
            var my = (int)((long)y * Rle.Height / height);
            for (var x = 0; x < width; x++)
            {
                var mx = (int)((long)x * Rle.Width / width);
                var g = gray[y * width + x];
                byte r = g, gg = g, b = g;
                for (var c = 0; c < masks.Length; c++)
                    if (masks[c] is { } mask && mask[my * Rle.Width + mx] != 0)
                    {
                        var tint = Tints[c];
                        (r, gg, b) = ((byte)((g + 2 * tint.R) / 3), (byte)((g + 2 * tint.G) / 3), (byte)((g + 2 * tint.B) / 3));
                    }
                var o = (y * width + x) * 3;
                (rgb[o], rgb[o + 1], rgb[o + 2]) = (r, gg, b);
            }
        }
        return rgb;
    }

    private static void WriteOverlay(string imagePath, byte[]?[] masks, string output)
    {
        ImageResult image;
        using (var stream = File.OpenRead(imagePath))
            image = ImageResult.FromStream(stream, StbImageSharp.ColorComponents.Grey);
        var rgb = Overlay(image.Data, image.Height, image.Width, masks);
        using var file = File.Create(output);
        new ImageWriter().WritePng(rgb, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, file);
    }

    private static List<(string Id, byte[]?[] Masks)> SegmenterOnly(StageContext context, string input, string folder, List<string> ids)
    {
        var dir = context.Input(input);
        var spec = ModelSpec.Load(dir);
        if (spec.Kind != "segment" || spec.ClassId is < 1 or > TrainLabels.Classes)
            throw new BadInputException($"input '{input}' holds a {spec.Kind} model, not a segmenter of classes 1..4");
        var thresholds = Inputs.Thresholds(dir);
        using var model = spec.Build();
        Checkpoint.LoadWeights(model, dir);
        model.to(context.Device);
        var results = new List<(string, byte[]?[])>();
        foreach (var chunk in ids.Chunk(32))
        {
            var samples = chunk.Select(id => new Sample(id, GrayImage.Load(Path.Combine(folder, id), spec.Height, spec.Width), new byte[]?[TrainLabels.Classes])).ToList();
            var scores = Training.Predict(model, samples, spec.Height, spec.Width, device: context.Device);
            for (var i = 0; i < chunk.Length; i++)
            {
                var masks = new byte[]?[TrainLabels.Classes];
                if (Dice.Mask(scores[i], thresholds["pixel"], (int)thresholds["min_area"]) is { } low)
                    masks[spec.ClassId - 1] = GrayImage.EnlargeMask(low, spec.Height, spec.Width, Rle.Height, Rle.Width);
                results.Add((chunk[i], masks));
            }
        }
        return results;
    }

    private static void WriteSubmission(string path, List<(string Id, byte[]?[] Masks)> predictions)
    {
        var text = new StringBuilder("ImageId,EncodedPixels,ClassId\n");
        foreach (var (id, masks) in predictions)
            for (var c = 1; c <= TrainLabels.Classes; c++)
                text.Append(CultureInfo.InvariantCulture, $"{id},{(masks[c - 1] is { } mask ? Rle.Encode(mask) : "")},{c}\n");
        File.WriteAllText(path, text.ToString());
    }
}
