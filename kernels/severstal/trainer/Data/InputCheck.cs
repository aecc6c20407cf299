using SteelCI.Training;

namespace Severstal.Data;

/// <summary>
/// Checks a stage's data and params before any training, so bad input ends as the trainer's bad-input exit (2, not
/// retried) with a message that names the file and line, never as a crash deep in a batch. Images are checked from
/// their bytes without decoding: not empty, a JPEG (SOI), 1600x256 in its frame header (SOF), and whole (an EOI marker
/// at the end; a cut-off download has none). train.csv must not hold two rows for one image and class.
/// </summary>
public static class InputCheck
{
    public const int Width = 1600;
    public const int Height = 256;

    /// <summary>Params that cannot train: a batch below 1, a learning rate that is not a positive number, ...</summary>
    public static void Params(StageContext context)
    {
        var stage = context.Config.Stage;
        foreach (var name in new[] { "batch", "channels", "max_images", "max_val_images", "images" })
            if (context.Config.Params.ContainsKey(name) && context.Int(name, 1) < 1)
                throw new BadInputException($"stage {stage}: param '{name}' = {context.Config.Params[name]} must be at least 1");
        foreach (var name in new[] { "prefetch", "checkpoint_minutes", "warmup_epochs" })
            if (context.Config.Params.ContainsKey(name) && context.Double(name, 0) < 0)
                throw new BadInputException($"stage {stage}: param '{name}' = {context.Config.Params[name]} must not be negative");
        if (context.Config.Params.ContainsKey("lr") && context.Double("lr", 1) is var lr && !(lr > 0 && double.IsFinite(lr)))
            throw new BadInputException($"stage {stage}: param 'lr' = {context.Config.Params["lr"]} must be a positive number");
    }

    /// <summary>
    /// The folder a dataset input really is: the local backend mounts inputs as links in the attempt's folder, and a
    /// message must name the user's file (the --data folder), not the link.
    /// </summary>
    public static string RealFolder(string folder) =>
        new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? folder;

    /// <summary>The dataset folder (train.csv, train_images/); throws <see cref="BadInputException"/> at the first problem.</summary>
    public static void Dataset(string folder)
    {
        var csv = Path.Combine(folder, "train.csv");
        Duplicates(csv);
        var images = Path.Combine(folder, "train_images");
        foreach (var path in Directory.EnumerateFiles(images, "*.jpg").Order(StringComparer.Ordinal))
            Image(path);
    }

    private static void Duplicates(string csv)
    {
        var seen = new Dictionary<(string Image, string Class), int>();
        var lines = File.ReadAllLines(csv);
        var oldFormat = lines.Length > 0 && lines[0].Trim().TrimStart('\uFEFF') == "ImageId_ClassId,EncodedPixels";
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Trim().Split(',');
            if (fields.Length < 2)
                continue; // TrainLabels reports malformed rows with their line
            var key = oldFormat && fields[0].LastIndexOf('_') is var cut and > 0
                ? (fields[0][..cut], fields[0][(cut + 1)..])
                : (fields[0], fields[1]);
            if (seen.TryGetValue(key, out var first))
                throw new BadInputException($"{csv}:{i + 1}: a second row for image {key.Item1} class {key.Item2} (the first is line {first}); keep one");
            seen[key] = i + 1;
        }
    }

    /// <summary>One image's bytes: non-empty, SOI, a SOF frame header of 1600x256, and an EOI near the end.</summary>
    public static void Image(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
            throw new BadInputException($"{path}: empty file (0 bytes), not a JPEG image");
        var reader = new BinaryReader(stream);
        if (stream.Length < 4 || reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8)
            throw new BadInputException($"{path}: not a JPEG image (it does not start with the JPEG marker FF D8)");
        var (width, height) = FrameSize(stream, reader)
            ?? throw new BadInputException($"{path}: corrupt JPEG (no frame header with the image size)");
        if (width != Width || height != Height)
            throw new BadInputException($"{path}: {width}x{height} pixels; Severstal images are {Width}x{Height}");
        var tail = (int)Math.Min(stream.Length, 1024);
        stream.Position = stream.Length - tail;
        var end = reader.ReadBytes(tail);
        if (!Enumerable.Range(0, tail - 1).Any(i => end[i] == 0xFF && end[i + 1] == 0xD9))
            throw new BadInputException($"{path}: truncated or corrupt JPEG (no end-of-image marker FF D9 at its end)");
    }

    /// <summary>Walks the marker segments to the first SOFn (baseline, progressive, ...) and reads its size.</summary>
    private static (int Width, int Height)? FrameSize(Stream stream, BinaryReader reader)
    {
        while (stream.Position + 4 <= stream.Length)
        {
            if (reader.ReadByte() != 0xFF)
                return null;
            var marker = reader.ReadByte();
            while (marker == 0xFF && stream.Position < stream.Length)
                marker = reader.ReadByte(); // fill bytes
            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7)
                continue; // markers without a length
            if (marker is 0xD9 or 0xDA)
                return null; // end of image or start of scan before any frame header
            int length = reader.ReadByte() << 8 | reader.ReadByte();
            if (length < 2 || stream.Position + length - 2 > stream.Length)
                return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && length >= 7)
            {
                reader.ReadByte(); // sample precision
                int height = reader.ReadByte() << 8 | reader.ReadByte();
                int width = reader.ReadByte() << 8 | reader.ReadByte();
                return (width, height);
            }
            stream.Position += length - 2;
        }
        return null;
    }
}
