using Severstal.Data;
using Severstal.Stages;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// Data given with --data, met by the trainer: each bad file or row is the trainer's bad input (exit 2, which the runner
/// never retries) naming the file and line, found before any batch is read. Run in process through the trainer host
/// on a small synthetic dataset (one per class, copied per case). The older ImageId_ClassId layout, a BOM and CRLF
/// line ends must work.
/// </summary>
public sealed class DataSet : IDisposable
{
    private readonly TempDirectory _dir = new("data");

    public DataSet() => new SyntheticSeverstal(5).Write(Folder, 12, 0);

    public string Folder => _dir.Combine("severstal");

    public void Dispose() => _dir.Dispose();
}

[Collection("trainer")]
public sealed class DataCases(DataSet data) : IClassFixture<DataSet>
{
    public static TheoryData<string> Cases => new(All.Keys);

    private static readonly Dictionary<string, (Action<string> Damage, Func<string, string> Where, Dictionary<string, string>? Params)> All = new()
    {
        ["a JPEG cut in half"] = (d => Cut(First(d)), d => $"{First(d)}: truncated or corrupt JPEG", null),
        ["a 0-byte image"] = (d => File.WriteAllBytes(First(d), []), d => $"{First(d)}: empty file", null),
        ["random bytes named .jpg"] = (d => File.WriteAllBytes(First(d), Enumerable.Range(0, 5000).Select(i => (byte)(i * 31 + 7)).ToArray()),
            d => $"{First(d)}: not a JPEG", null),
        ["a PNG named .jpg"] = (d => File.WriteAllBytes(First(d), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]),
            d => $"{First(d)}: not a JPEG", null),
        ["an image of the wrong size (800x128)"] = (d => Jpeg(First(d), 800, 128), d => $"{First(d)}: 800x128 pixels", null),
        ["an image of the wrong size (1600x257)"] = (d => Jpeg(First(d), 1600, 257), d => $"{First(d)}: 1600x257 pixels", null),
        ["an extra image that is garbage"] = (d => File.WriteAllText(Path.Combine(d, "train_images", "zzz.jpg"), "<html>404</html>"),
            d => $"{Path.Combine(d, "train_images", "zzz.jpg")}: not a JPEG", null),
        ["two rows for one image and class"] = (d => Csv(d, lines => [.. lines, lines[1]]), d => $"{CsvOf(d)}:{Lines(d) + 1}: a second row", null),
        ["two rows for one image and class (ImageId_ClassId layout)"] = (d => { OldLayout(d); Csv(d, lines => [.. lines, lines[1]]); },
            d => $"{CsvOf(d)}:{Lines(d) + 1}: a second row", null),
        ["a wrong header"] = (d => Csv(d, lines => ["Image,Class,Pixels", .. lines[1..]]), d => $"{CsvOf(d)}:1: header", null),
        ["an empty train.csv"] = (d => File.WriteAllText(CsvOf(d), ""), d => $"{CsvOf(d)}:1: empty file", null),
        ["an RLE that is not numbers"] = (d => Csv(d, lines => [lines[0], lines[1].Split(',')[0] + ",1,1 x 7", .. lines[2..]]), d => $"{CsvOf(d)}:2:", null),
        ["an RLE with an odd count"] = (d => Csv(d, lines => [lines[0], lines[1].Split(',')[0] + ",1,1 3 7", .. lines[2..]]), d => $"{CsvOf(d)}:2:", null),
        ["an RLE past the image's end"] = (d => Csv(d, lines => [lines[0], lines[1].Split(',')[0] + ",1,409590 100", .. lines[2..]]), d => $"{CsvOf(d)}:2:", null),
        ["class 5"] = (d => Csv(d, lines => [lines[0], lines[1].Split(',')[0] + ",5,1 3", .. lines[2..]]), d => $"{CsvOf(d)}:2: class '5'", null),
        ["a row with four fields"] = (d => Csv(d, lines => [lines[0], lines[1] + ",extra", .. lines[2..]]), d => $"{CsvOf(d)}:2: expected 3 fields", null),
        ["train.csv cut off mid-row"] = (d => Csv(d, lines => [.. lines[..^1], lines[^1].Split(',')[0]]), d => $"{CsvOf(d)}:{Lines(d) + 1}: expected 3 fields", null),
        ["no train.csv"] = (d => File.Delete(CsvOf(d)), d => $"{CsvOf(d)} not found", null),
        ["no train_images/"] = (d => Directory.Delete(Path.Combine(d, "train_images"), true), d => $"{Path.Combine(d, "train_images")} not found", null),
        ["labels for an image that is not there"] = (d => File.Delete(Path.Combine(d, "train_images", LabelledImage(d))),
            d => $"image {LabelledImage(d)} has labels but is not in train_images/", null),
        ["batch 0"] = (_ => { }, _ => "param 'batch' = 0 must be at least 1", new() { ["batch"] = "0" }),
        ["a negative learning rate"] = (_ => { }, _ => "param 'lr' = -0.1 must be a positive number", new() { ["lr"] = "-0.1" }),
        ["a learning rate that is not a number"] = (_ => { }, _ => "param 'lr' = 'fast' is not a Double", new() { ["lr"] = "fast" }),
        ["a learning rate of NaN"] = (_ => { }, _ => "param 'lr' = NaN must be a positive number", new() { ["lr"] = "NaN" }),
        ["a height that does not divide 256"] = (_ => { }, _ => "height 100", new() { ["height"] = "100" }),
        ["max_images 0"] = (_ => { }, _ => "param 'max_images' = 0 must be at least 1", new() { ["max_images"] = "0" }),
    };

    [Theory, MemberData(nameof(Cases))]
    public void Bad_data_is_the_trainers_bad_input_naming_the_file(string name)
    {
        using var dir = new TempDirectory("case");
        var folder = dir.Combine("severstal");
        Copy(data.Folder, folder);
        var (damage, where, parameters) = All[name];
        damage(folder);
        var expected = where(folder);

        var (code, log) = Run(dir, folder, parameters ?? []);

        Assert.True(code == TrainerContract.ExitBadInput, $"exit {code}, expected {TrainerContract.ExitBadInput}\n{log}");
        Assert.True(log.Contains($"bad input: {expected}", StringComparison.Ordinal) || log.Contains(expected, StringComparison.Ordinal),
            $"the log does not name '{expected}':\n{log}");
        Assert.DoesNotContain("   at ", log); // no stack trace for bad input
        Assert.False(File.Exists(Path.Combine(dir.Combine("out"), Manifest.FileName)), "no output is written for bad input");
    }

    [Fact]
    public void The_older_ImageId_ClassId_layout_reads_the_same_labels()
    {
        using var dir = new TempDirectory("old");
        var folder = dir.Combine("severstal");
        Copy(data.Folder, folder);
        var current = TrainLabels.Load(folder);
        OldLayout(folder);

        var old = TrainLabels.Load(folder);
        InputCheck.Dataset(folder);

        Assert.Equal(current.Images, old.Images);
        foreach (var image in current.Images)
            for (var c = 1; c <= TrainLabels.Classes; c++)
                Assert.Equal(current.Rle(image, c), old.Rle(image, c));
    }

    [Fact]
    public void A_BOM_and_CRLF_line_ends_read_the_same_labels()
    {
        using var dir = new TempDirectory("crlf");
        var folder = dir.Combine("severstal");
        Copy(data.Folder, folder);
        var current = TrainLabels.Load(folder);
        File.WriteAllBytes(CsvOf(folder), [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(CsvOf(folder)).ReplaceLineEndings("\r\n"))]);

        var crlf = TrainLabels.Load(folder);
        InputCheck.Dataset(folder);

        Assert.Equal(current.Images, crlf.Images);
        foreach (var image in current.Images)
            for (var c = 1; c <= TrainLabels.Classes; c++)
                Assert.Equal(current.Rle(image, c), crlf.Rle(image, c));
    }

    private static (int Code, string Log) Run(TempDirectory dir, string folder, Dictionary<string, string> extra)
    {
        var parameters = new Dictionary<string, string> { ["arch"] = "small", ["height"] = "32", ["width"] = "200", ["channels"] = "4", ["batch"] = "4" };
        foreach (var (key, value) in extra)
            parameters[key] = value;
        var config = dir.Combine("config.json");
        File.WriteAllText(config, Json.Serialize(new StageConfig
        {
            Pipeline = "severstal", Stage = "binary", Entry = "binary", ContentKey = new string('5', 64), Epochs = 1, Params = parameters,
            Inputs = [new StageInput("severstal", "severstal", "folder", "k")], TrainerHash = "t", SteelciVersion = "0.1.0",
        }));
        var log = new StringWriter();
        var code = TrainerHost.Run(["--config", config, "--input", $"severstal={folder}", "--output", dir.Combine("out"), "--threads", "1"],
            new Dictionary<string, Func<StageContext, StageOutcome>> { ["binary"] = ClassifierStage.Binary }, TimeProvider.System, log);
        return (code, log.ToString());
    }

    private static string CsvOf(string folder) => Path.Combine(folder, "train.csv");

    private static int Lines(string folder) => File.ReadAllLines(CsvOf(folder)).Length - 1;

    private static string First(string folder) => Directory.GetFiles(Path.Combine(folder, "train_images"), "*.jpg").Order(StringComparer.Ordinal).First();

    private static string LabelledImage(string folder) => File.ReadAllLines(CsvOf(folder))[1].Split(',')[0].Split('_')[0];

    private static void Csv(string folder, Func<string[], string[]> edit) => File.WriteAllLines(CsvOf(folder), edit(File.ReadAllLines(CsvOf(folder))));

    private static void Cut(string path)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }

    private static void Jpeg(string path, int width, int height)
    {
        var pixels = Enumerable.Range(0, width * height).Select(i => (byte)(i % 251)).ToArray();
        using var stream = File.Create(path);
        new StbImageWriteSharp.ImageWriter().WriteJpg(pixels, width, height, StbImageWriteSharp.ColorComponents.Grey, stream, 90);
    }

    /// <summary>Rewrites train.csv in the older layout: ImageId_ClassId,EncodedPixels with four rows per image.</summary>
    private static void OldLayout(string folder)
    {
        var labels = TrainLabels.Load(folder);
        var rows = labels.Images.SelectMany(image => Enumerable.Range(1, TrainLabels.Classes)
            .Select(c => $"{image}_{c},{labels.Rle(image, c)}"));
        File.WriteAllLines(CsvOf(folder), ["ImageId_ClassId,EncodedPixels", .. rows]);
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
