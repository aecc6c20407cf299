using Severstal.Eda;
using Severstal.Stages;
using StbImageSharp;
using StbImageWriteSharp;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;

namespace Severstal.Trainer.Tests;

/// <summary>
/// The eda stage on a hand-made set whose every number is known: masks of exact area and region count, one RLE of
/// each kind of fault, a repeated row, two classes claiming the same pixels, a small image, a colour image and a label
/// without its image.
/// </summary>
public sealed class EdaHandMadeSetTests
{
    private const int H = 256, W = 1600;

    /// <summary>Column-major RLE of rows [top, top + height) in columns [left, left + width): one run per column.</summary>
    private static string Box(int left, int width, int top, int height) =>
        string.Join(' ', Enumerable.Range(left, width).Select(x => $"{x * H + top + 1} {height}"));

    public static string Write(TempDirectory dir)
    {
        var data = dir.Combine("data");
        var images = Directory.CreateDirectory(Path.Combine(data, "train_images")).FullName;
        foreach (var (id, level) in new[] { ("a.jpg", 100), ("b.jpg", 120), ("c.jpg", 140), ("d.jpg", 160), ("g.jpg", 180), ("h.jpg", 200) })
            Jpeg(Path.Combine(images, id), W, H, level, StbImageWriteSharp.ColorComponents.Grey);
        Jpeg(Path.Combine(images, "e.jpg"), 800, 128, 90, StbImageWriteSharp.ColorComponents.Grey);
        Jpeg(Path.Combine(images, "f.jpg"), W, H, 110, StbImageWriteSharp.ColorComponents.RedGreenBlue);
        File.WriteAllText(Path.Combine(data, "train.csv"), string.Join('\n',
            "ImageId,ClassId,EncodedPixels",
            $"a.jpg,1,{Box(10, 10, 0, 256)}",        // columns 10..19 whole: 2,560 px written as one run per column, 1 region
            "a.jpg,3,1 10 1001 5",                   // rows 0..9 of column 0 and rows 232..236 of column 3: 15 px, 2 regions
            $"b.jpg,2,{Box(200, 10, 100, 50)}",      // a 10 x 50 block: 500 px, 1 region
            $"b.jpg,2,{Box(200, 10, 100, 50)}",      // the same pair again
            "c.jpg,4,409600 2",                      // runs past the last pixel
            "d.jpg,1,",                              // an empty RLE: no defect
            "g.jpg,1,100 5 50 5",                    // not sorted
            "g.jpg,2,10 5 12 3",                     // overlapping runs
            "h.jpg,1,1 256",                         // column 0: 256 px, 1 region
            "h.jpg,2,129 256",                       // rows 128..255 of column 0 and rows 0..127 of column 1: 256 px, 2 regions, 128 shared with class 1
            "missing.jpg,3,1 5",                     // a label whose image is not there
            ""));
        return data;
    }

    private static void Jpeg(string path, int width, int height, int level, StbImageWriteSharp.ColorComponents components)
    {
        var channels = components == StbImageWriteSharp.ColorComponents.Grey ? 1 : 3;
        var pixels = new byte[width * height * channels];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(channels == 3 ? level + 40 * (i % 3) : level); // colour: R, G, B differ
        using var file = File.Create(path);
        new ImageWriter().WriteJpg(pixels, width, height, components, file, 95);
    }

    [Fact]
    public void Exact_counts_areas_regions_and_checks_come_back()
    {
        using var dir = new TempDirectory("eda-hand");
        var (s, facts, _) = EdaScan.Run(Write(dir), threads: 2);
        var m = s.Metrics();

        Assert.Equal(8, m["images"]);
        Assert.Equal(5, m["images_with_defects"]);  // a, b, c, g, h (c's and g's rows are faulty, but say the class is there)
        Assert.Equal(3, m["images_without_defects"]); // d (empty RLE), e, f
        Assert.Equal([3, 2, 3, 0, 0], s.ImagesByClassCount);
        Assert.Equal((3, 3, 1, 1), ((int)m["class1_images"], (int)m["class2_images"], (int)m["class3_images"], (int)m["class4_images"]));
        Assert.Equal(8, m["masks"]);
        Assert.Equal([256L, 2560L], s.Areas[0]);
        Assert.Equal([256L, 500L], s.Areas[1]);
        Assert.Equal([15L], s.Areas[2]);
        Assert.Empty(s.Areas[3]);
        Assert.Equal(2816.0 / (8 * 409600), m["class1_pixel_share"]);
        Assert.Equal(3.0 / 8, m["class1_mask_share"]);
        Assert.Equal((1408, 378, 15, 0), (m["class1_area_median"], m["class2_area_median"], m["class3_area_median"], m["class4_area_median"]));
        Assert.Equal(2, s.CoOccurrence[0, 1]);
        Assert.Equal(1, s.CoOccurrence[0, 2]);
        Assert.Equal(0, s.CoOccurrence[1, 2]);
        Assert.Equal([1, 0, 2, 0, 0, 0, 0, 0, 0, 0], s.RegionsPerImage); // b: 1; a: 1 + 2; h: 1 + 2
        Assert.Equal(1.4, m["regions_per_defect_image"], 12);          // (1 + 3 + 3) / 5 defective images

        Assert.Equal(8, m["rle_rows"]);
        Assert.Equal(3, m["rle_problems"]);
        Assert.Equal(1, s.RleProblems[RleProblem.OutOfBounds]);
        Assert.Equal(1, s.RleProblems[RleProblem.Unsorted]);
        Assert.Equal(1, s.RleProblems[RleProblem.Overlapping]);
        Assert.Contains("train.csv:6: c.jpg class 4: a run goes past the 256x1600 image", s.RleExamples);
        Assert.Contains("train.csv:8: g.jpg class 1: runs are not in ascending order", s.RleExamples);
        Assert.Equal(1, m["duplicate_rows"]);
        Assert.Equal(128, m["class_overlap_pixels"]);
        Assert.Equal(1, m["labels_without_image"]);
        Assert.Equal(1, m["images_not_1600x256"]);
        Assert.Contains("e.jpg: 800x128, not 1600x256", s.Oddities);
        Assert.Equal(1, m["images_in_colour"]);
        Assert.Equal(0, m["images_unreadable"]);

        // Uniform gray images decode to (nearly) their level: JPEG may move a flat block by a gray level.
        var a = facts.Single(f => f.Id == "a.jpg");
        Assert.InRange(a.Mean, 99, 101);
        Assert.InRange(a.Spread, 0, 1);
        Assert.InRange(m["brightness_mean"], (100 + 120 + 140 + 160 + 180 + 200 + 90 + 110) / 8.0 - 2, (100 + 120 + 140 + 160 + 180 + 200 + 90 + 110) / 8.0 + 12);
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_counted_not_fatal()
    {
        using var dir = new TempDirectory("eda-broken");
        var data = Write(dir);
        File.WriteAllBytes(Path.Combine(data, "train_images", "z.jpg"), [1, 2, 3, 4, 5, 6, 7, 8]);
        var whole = File.ReadAllBytes(Path.Combine(data, "train_images", "a.jpg"));
        File.WriteAllBytes(Path.Combine(data, "train_images", "y.jpg"), whole[..(whole.Length / 3)]); // cut off mid-scan
        var (s, facts, _) = EdaScan.Run(data, threads: 1);
        Assert.Equal(10, s.Images);
        var cut = facts.Single(f => f.Id == "y.jpg");
        Assert.True(cut.Error is not null || cut.IsStandardSize, "a cut-off JPEG is either reported unreadable or decoded with its stated size");
        Assert.Equal(1 + (cut.Error is null ? 0 : 1), s.Unreadable);
        Assert.Contains("z.jpg: not a readable JPEG", s.Oddities);
    }

    [Fact]
    public void A_row_it_cannot_read_is_bad_input_with_its_line()
    {
        using var dir = new TempDirectory("eda-badrow");
        var data = Write(dir);
        File.AppendAllText(Path.Combine(data, "train.csv"), "a.jpg,9,1 5\n");
        var error = Assert.Throws<BadInputException>(() => EdaScan.Run(data, threads: 1));
        Assert.EndsWith("train.csv:13: class '9' is not 1..4", error.Message);
    }

    [Fact]
    public void The_stage_publishes_report_charts_examples_and_metrics()
    {
        using var dir = new TempDirectory("eda-stage");
        var data = Write(dir);
        var config = dir.Combine("eda.json");
        File.WriteAllText(config, Json.Serialize(new StageConfig
        {
            Pipeline = "severstal", Stage = "eda", Entry = "eda", ContentKey = new string('5', 64), Epochs = 1,
            Params = new Dictionary<string, string>(), Inputs = [new StageInput("severstal", "severstal", "folder", "k")],
            TrainerHash = "t", SteelciVersion = "0.1.0",
        }));
        var log = new StringWriter();
        var output = dir.Combine("eda");
        var code = TrainerHost.Run(["--config", config, "--input", $"severstal={data}", "--output", output, "--threads", "2"],
            new Dictionary<string, Func<StageContext, StageOutcome>> { ["eda"] = EdaStage.Run }, TimeProvider.System, log);

        Assert.True(code == TrainerContract.ExitComplete, log.ToString());
        var manifest = ManifestVerifier.Verify(output);
        Assert.Equal(8, manifest.Metrics["images"]);
        Assert.Equal(3, manifest.Metrics["rle_problems"]);
        var charts = manifest.Files.Select(f => f.Path).Where(p => p.EndsWith(".png")).ToList();
        Assert.True(charts.Count >= 5, string.Join(", ", charts));
        var report = File.ReadAllText(Path.Combine(output, EdaReport.FileName));
        foreach (var chart in charts)
            Assert.Contains($"]({chart})", report);
        Assert.Contains("| training images | 8 |", report);
        Assert.Contains("| 1 | 3 | 37.5 % |", report);
        Assert.Contains("| RLE rows where runs overlap | 1 |", report);

        // The examples grid: a.jpg is class 1's first example; its mask (columns 10..19) is tinted as predict tints it.
        var grid = Decode(Path.Combine(output, ExampleGrid.FileName));
        Assert.Equal((2 * (ExampleGrid.ImageWidth + ExampleGrid.Gap) + ExampleGrid.Gap, 44 + 4 * (ExampleGrid.RowLabel + ExampleGrid.ImageHeight + ExampleGrid.Gap)),
            (grid.Width, grid.Height));
        int left = ExampleGrid.Gap, top = 44 + ExampleGrid.RowLabel;
        var tinted = PredictStage.Overlay([100], 1, 1, [new byte[409600].Select(_ => (byte)1).ToArray(), null, null, null]);
        AssertPixel(grid, left + 7, top + 60, tinted[0], tinted[1], tinted[2], tolerance: 2); // half size: column 7 is columns 14..15
        AssertPixel(grid, left + 30, top + 100, 100, 100, 100, tolerance: 2);                  // no mask there: plain gray
    }

    internal static ImageResult Decode(string path)
    {
        using var stream = File.OpenRead(path);
        return ImageResult.FromStream(stream, StbImageSharp.ColorComponents.RedGreenBlue);
    }

    internal static void AssertPixel(ImageResult image, int x, int y, int r, int g, int b, int tolerance = 0)
    {
        var o = (y * image.Width + x) * 3;
        var (pr, pg, pb) = (image.Data[o], image.Data[o + 1], image.Data[o + 2]);
        Assert.True(Math.Abs(pr - r) <= tolerance && Math.Abs(pg - g) <= tolerance && Math.Abs(pb - b) <= tolerance,
            $"pixel ({x}, {y}) is ({pr}, {pg}, {pb}), expected ({r}, {g}, {b})");
    }
}
