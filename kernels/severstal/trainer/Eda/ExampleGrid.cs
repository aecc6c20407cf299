using Severstal.Data;
using Severstal.Stages;

namespace Severstal.Eda;

/// <summary>
/// A grid of example training images, one row per class, each image at half size with its true masks tinted as
/// <c>steelci predict</c> tints predicted ones (<see cref="PredictStage.Overlay"/>): red, green, blue, yellow.
/// </summary>
public static class ExampleGrid
{
    public const string FileName = "examples.png";
    public const int PerClass = 2, ImageHeight = 128, ImageWidth = 800, Gap = 10, RowLabel = 30;

    /// <summary>
    /// Per class, the first <see cref="PerClass"/> images (by id) whose masks are all readable and that show that class
    /// alone, topped up with images that show it among others.
    /// </summary>
    public static List<(int ClassId, string Id)> Choose(EdaSummary summary, IReadOnlyList<ImageFacts> facts)
    {
        var usable = facts.Where(f => f.Error is null && f.IsStandardSize && f.DuplicateRows == 0 && f.Masks.All(m => m.Problem == RleProblem.None))
            .OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
        var chosen = new List<(int, string)>();
        for (var c = 1; c <= EdaSummary.Classes; c++)
        {
            var classId = c;
            chosen.AddRange(usable.Where(f => f.Has(classId) && f.ClassCount == 1)
                .Concat(usable.Where(f => f.Has(classId) && f.ClassCount > 1))
                .Take(PerClass).Select(f => (classId, f.Id)));
        }
        return chosen;
    }

    public static Canvas Draw(string imagesFolder, IReadOnlyList<(int ClassId, string Id)> examples,
        IReadOnlyDictionary<string, List<LabelRow>> labels)
    {
        var top = 44;
        var rowHeight = RowLabel + ImageHeight + Gap;
        var canvas = new Canvas(PerClass * (ImageWidth + Gap) + Gap, top + EdaSummary.Classes * rowHeight, Canvas.White);
        canvas.Text(Gap, 12, "EXAMPLES PER CLASS, MASKS TINTED AS PREDICT TINTS THEM", Canvas.Black);
        for (var c = 1; c <= EdaSummary.Classes; c++)
        {
            var y = top + (c - 1) * rowHeight;
            canvas.Fill(Gap, y + 4, 16, 16, Rgb.OfClass(c));
            canvas.Text(Gap + 24, y + 6, $"CLASS {c}", Canvas.Black);
            var row = examples.Where(e => e.ClassId == c).ToList();
            if (row.Count == 0)
                canvas.Text(Gap + 140, y + 6, "NO IMAGES WITH THIS CLASS", Canvas.Ink);
            for (var i = 0; i < row.Count; i++)
            {
                var id = row[i].Id;
                canvas.Text(Gap + i * (ImageWidth + Gap) + (i == 0 ? 140 : 0), y + 9, id, Canvas.Ink, 1);
                var gray = GrayImage.Load(Path.Combine(imagesFolder, id), ImageHeight, ImageWidth);
                var masks = new byte[]?[EdaSummary.Classes];
                foreach (var label in labels.GetValueOrDefault(id) ?? [])
                    masks[label.ClassId - 1] = Rle.Decode(label.Rle);
                canvas.Paste(Gap + i * (ImageWidth + Gap), y + RowLabel, PredictStage.Overlay(gray, ImageHeight, ImageWidth, masks),
                    ImageWidth, ImageHeight);
            }
        }
        return canvas;
    }
}
