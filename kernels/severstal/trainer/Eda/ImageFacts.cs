using Severstal.Data;
using StbImageSharp;

namespace Severstal.Eda;

/// <summary>What the analysis keeps of one labelled mask: a few numbers, never the mask.</summary>
public sealed record MaskFacts(int ClassId, int Line, RleProblem Problem, long Area, int Regions);

/// <summary>
/// What the analysis keeps of one training image (about a hundred bytes): its size and channels as stored, its
/// brightness, its masks' facts and how many pixels two classes claim at once. Error is set when it cannot be read.
/// </summary>
public sealed record ImageFacts(
    string Id, int Width, int Height, int Channels, double Mean, double Spread,
    IReadOnlyList<MaskFacts> Masks, int DuplicateRows, long OverlapPixels, string? Error)
{
    public bool Has(int classId) => Masks.Any(m => m.ClassId == classId);

    public int ClassCount => Masks.Select(m => m.ClassId).Distinct().Count();

    public bool IsStandardSize => Width == Rle.Width && Height == Rle.Height;

    /// <summary>Reads one image (through the trainer's loader, at its stored size) and its label rows.</summary>
    public static ImageFacts Inspect(string imagesFolder, string id, IReadOnlyList<LabelRow> rows)
    {
        var (masks, duplicates, overlap) = Labels(rows);
        var path = Path.Combine(imagesFolder, id);
        if (JpegHeader.Read(path) is not { } header)
            return new ImageFacts(id, 0, 0, 0, 0, 0, masks, duplicates, overlap, "not a readable JPEG");
        var (width, height, channels) = header;
        byte[] gray;
        var colour = false;
        try
        {
            // A JPEG stored with three components may still be gray (equal channels, as stb_image_write and most
            // cameras store gray): decode those as RGB once, and take gray as the decoder's own conversion would.
            (gray, colour) = channels == 3 ? GrayOfRgb(path) : (GrayImage.Load(path, height, width), false);
        }
        catch (Exception error) when (error is InvalidDataException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            return new ImageFacts(id, width, height, channels, 0, 0, masks, duplicates, overlap, error.Message);
        }
        var (mean, spread) = Brightness(gray);
        return new ImageFacts(id, width, height, channels, mean, spread, masks, duplicates, overlap, null) { Colour = colour };
    }

    /// <summary>Whether the image's channels differ (beyond JPEG noise): more than 1 % of pixels with channels 8+ levels apart.</summary>
    public bool Colour { get; init; }

    private static (byte[] Gray, bool Colour) GrayOfRgb(string path)
    {
        ImageResult image;
        using (var stream = File.OpenRead(path))
            image = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        var rgb = image.Data;
        var gray = new byte[rgb.Length / 3];
        var differing = 0;
        for (var i = 0; i < gray.Length; i++)
        {
            int r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
            gray[i] = (byte)((r * 77 + g * 150 + b * 29) >> 8); // stb_image's RGB-to-gray weights
            if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) >= 8)
                differing++;
        }
        return (gray, differing > gray.Length / 100);
    }

    public static (double Mean, double Spread) Brightness(byte[] pixels)
    {
        if (pixels.Length == 0)
            return (0, 0);
        long sum = 0, squares = 0;
        foreach (var p in pixels)
        {
            sum += p;
            squares += p * p;
        }
        var mean = sum / (double)pixels.Length;
        return (mean, Math.Sqrt(Math.Max(0, squares / (double)pixels.Length - mean * mean)));
    }

    private static (List<MaskFacts> Masks, int Duplicates, long Overlap) Labels(IReadOnlyList<LabelRow> rows)
    {
        var masks = new List<MaskFacts>();
        var valid = new List<RleRuns>();
        var duplicates = 0;
        foreach (var row in rows)
        {
            if (masks.Any(m => m.ClassId == row.ClassId))
            {
                duplicates++;
                continue;
            }
            var runs = RleRuns.Parse(row.Rle);
            var ok = runs.Problem == RleProblem.None;
            masks.Add(new MaskFacts(row.ClassId, row.Line, runs.Problem, ok ? runs.Area : 0, ok ? runs.Regions() : 0));
            if (ok)
                valid.Add(runs);
        }
        long overlap = 0;
        for (var a = 0; a < valid.Count; a++)
        for (var b = a + 1; b < valid.Count; b++)
            overlap += RleRuns.Shared(valid[a], valid[b]);
        return (masks.OrderBy(m => m.ClassId).ToList(), duplicates, overlap);
    }
}
