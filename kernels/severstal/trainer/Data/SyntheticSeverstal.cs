using System.Globalization;
using System.Text;
using StbImageWriteSharp;

namespace Severstal.Data;

/// <summary>
/// A Severstal-like dataset in the competition's on-disk format, deterministic by seed: 1600x256 grayscale JPEGs,
/// train.csv as ImageId,ClassId,EncodedPixels, about 47% of images without defects, mask shares per class near
/// 12.6 / 3.5 / 72.6 / 11.3 %, and one look per class: 1 thin dark scratches, 2 small bright textured patches,
/// 3 long dark streaky regions, 4 large very dark blobs. Masks never overlap. test_images/ and
/// sample_submission.csv come along so the final stage has something to predict.
/// </summary>
public sealed class SyntheticSeverstal(int seed)
{
    public const double DefectFreeShare = 0.47;
    public static readonly double[] ClassShares = [0.126, 0.035, 0.726, 0.113];
    /// <summary>Of the images with defects, the share with two classes (425 + 2 of 6,666 in the real data).</summary>
    public const double TwoClassShare = 0.064;

    private const int H = Rle.Height, W = Rle.Width;

    /// <summary>Writes <paramref name="trainImages"/> labelled and <paramref name="testImages"/> unlabelled images.</summary>
    public void Write(string folder, int trainImages, int testImages)
    {
        var train = Directory.CreateDirectory(Path.Combine(folder, "train_images")).FullName;
        var test = Directory.CreateDirectory(Path.Combine(folder, "test_images")).FullName;
        // Each image depends only on (seed, split, index), so rendering in parallel changes nothing in the output.
        var rows = new string[trainImages];
        Parallel.For(0, trainImages, i =>
        {
            var (id, pixels, labels) = Render(i, "train");
            WriteJpeg(Path.Combine(train, id), pixels);
            rows[i] = string.Concat(Enumerable.Range(1, TrainLabels.Classes)
                .Select(c => Mask(labels, c) is { } mask ? string.Create(CultureInfo.InvariantCulture, $"{id},{c},{Rle.Encode(mask)}\n") : ""));
        });
        var csv = new StringBuilder("ImageId,ClassId,EncodedPixels\n").AppendJoin("", rows);
        var ids = new string[testImages];
        Parallel.For(0, testImages, i =>
        {
            var (id, pixels, _) = Render(i, "test");
            WriteJpeg(Path.Combine(test, id), pixels);
            ids[i] = id;
        });
        var submission = new StringBuilder("ImageId,EncodedPixels,ClassId\n");
        foreach (var id in ids)
            for (var c = 1; c <= TrainLabels.Classes; c++)
                submission.Append(CultureInfo.InvariantCulture, $"{id},,{c}\n");
        File.WriteAllText(Path.Combine(folder, "train.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(folder, "sample_submission.csv"), submission.ToString());
    }

    /// <summary>One image and its label map (0 = no defect, 1..4 = class), the same for the same seed, split and index.</summary>
    public (string Id, byte[] Pixels, byte[] Labels) Render(int index, string split)
    {
        // HashCode is randomised per process; a fixed mix keeps ids and pixels the same on every run.
        var mixed = Mix(Mix(Mix(2166136261u, (uint)seed), split == "train" ? 1u : 2u), (uint)index);
        var random = new Random((int)(mixed & int.MaxValue));
        var id = $"{mixed:x8}{index % 10}.jpg";
        var pixels = Background(random);
        var labels = new byte[H * W];
        foreach (var classId in ChooseClasses(random))
            Paint(random, classId, pixels, labels);
        return (id, ToBytes(pixels), labels);
    }

    /// <summary>
    /// Two-class images pair class 3 with one of the others, as in the real data; single-class images are drawn with
    /// weights chosen so that, over all (image, class) pairs, the shares come out as <see cref="ClassShares"/>.
    /// </summary>
    private static readonly double[] SingleClassWeights = ClassShares
        .Select((share, i) => (share * (1 + TwoClassShare) - TwoClassShare * (i == 2 ? 1 : share / (1 - ClassShares[2]))) / (1 - TwoClassShare))
        .ToArray();

    private static readonly double[] PartnerOfClass3Weights = ClassShares.Select((share, i) => i == 2 ? 0 : share).ToArray();

    private static IEnumerable<int> ChooseClasses(Random random)
    {
        if (random.NextDouble() < DefectFreeShare)
            return [];
        return random.NextDouble() < TwoClassShare
            ? [3, Pick(random, PartnerOfClass3Weights)]
            : [Pick(random, SingleClassWeights)];
    }

    private static int Pick(Random random, double[] weights)
    {
        var roll = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
                return i + 1;
        }
        return weights.Length;
    }

    private static float[] Background(Random random)
    {
        var pixels = new float[H * W];
        var level = 95 + random.Next(30);
        var columns = Enumerable.Range(0, W).Select(_ => (float)(random.NextDouble() * 14 - 7)).ToArray();
        var tilt = (float)(random.NextDouble() * 20 - 10);
        for (var y = 0; y < H; y++)
        for (var x = 0; x < W; x++)
            pixels[y * W + x] = level + columns[x] + tilt * x / W + Noise(random) * 5;
        return pixels;
    }

    private static void Paint(Random random, int classId, float[] pixels, byte[] labels)
    {
        switch (classId)
        {
            case 1: // a few thin dark scratches
                for (var n = 2 + random.Next(4); n > 0; n--)
                {
                    double x0 = random.Next(40, W - 40), y0 = random.Next(20, H - 20), angle = random.NextDouble() * Math.PI;
                    var length = 40 + random.Next(120);
                    var half = 3 + random.Next(3);
                    Line(pixels, labels, 1, x0, y0, x0 + Math.Cos(angle) * length, y0 + Math.Sin(angle) * length, half, -45, random, 4);
                }
                break;
            case 2: // small bright textured patches
                for (var n = 1 + random.Next(3); n > 0; n--)
                    Ellipse(pixels, labels, 2, random.Next(60, W - 60), random.Next(30, H - 30), 18 + random.Next(30), 14 + random.Next(20),
                        (x, y) => 40 + ((x / 4 + y / 4) % 2 == 0 ? 12 : -12), random);
                break;
            case 3: // long streaky darker regions
                var cy = random.Next(40, H - 40);
                var cx = random.Next(200, W - 200);
                for (var n = 2 + random.Next(4); n > 0; n--)
                    Ellipse(pixels, labels, 3, cx + random.Next(-250, 250), cy + random.Next(-40, 40), 100 + random.Next(200), 15 + random.Next(45),
                        (_, y) => -28 + (y % 6 < 3 ? 8 : -8), random);
                break;
            default: // large very dark blobs
                for (var n = 1 + random.Next(2); n > 0; n--)
                    Ellipse(pixels, labels, 4, random.Next(150, W - 150), random.Next(60, H - 60), 60 + random.Next(120), 40 + random.Next(70),
                        (_, _) => -70, random);
                break;
        }
    }

    private static void Ellipse(float[] pixels, byte[] labels, byte classId, int cx, int cy, int rx, int ry,
        Func<int, int, float> shade, Random random)
    {
        var wobble = random.NextDouble() * Math.PI;
        for (var y = Math.Max(0, cy - ry - 8); y < Math.Min(H, cy + ry + 8); y++)
        for (var x = Math.Max(0, cx - rx - 8); x < Math.Min(W, cx + rx + 8); x++)
        {
            double dx = (x - cx) / (double)rx, dy = (y - cy) / (double)ry;
            var edge = 1 + 0.15 * Math.Sin(6 * Math.Atan2(dy, dx) + wobble);
            if (dx * dx + dy * dy <= edge * edge)
                Set(pixels, labels, x, y, classId, shade(x, y) + Noise(random) * 4);
        }
    }

    private static void Line(float[] pixels, byte[] labels, byte classId, double x0, double y0, double x1, double y1, int half,
        float shade, Random random, float noise)
    {
        var steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
        for (var s = 0; s <= steps; s++)
        {
            var x = (int)Math.Round(x0 + (x1 - x0) * s / steps);
            var y = (int)Math.Round(y0 + (y1 - y0) * s / steps);
            for (var dy = -half; dy <= half; dy++)
            for (var dx = -half; dx <= half; dx++)
                if (x + dx is >= 0 and < W && y + dy is >= 0 and < H && labels[(y + dy) * W + x + dx] != classId)
                    Set(pixels, labels, x + dx, y + dy, classId, shade + Noise(random) * noise);
        }
    }

    private static void Set(float[] pixels, byte[] labels, int x, int y, byte classId, float delta)
    {
        var i = y * W + x;
        pixels[i] += delta;
        labels[i] = classId; // a later defect takes the pixel: masks stay disjoint
    }

    private static uint Mix(uint hash, uint value)
    {
        for (var shift = 0; shift < 32; shift += 8)
            hash = (hash ^ ((value >> shift) & 0xFF)) * 16777619u;
        return hash;
    }

    /// <summary>Roughly standard normal noise (sum of three uniforms): cheap, and all the texture needs.</summary>
    private static float Noise(Random random) =>
        (float)((random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2);

    private static byte[] ToBytes(float[] pixels) => pixels.Select(p => (byte)Math.Clamp(p, 0, 255)).ToArray();

    private static byte[]? Mask(byte[] labels, int classId)
    {
        var mask = new byte[labels.Length];
        var any = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] != classId)
                continue;
            mask[i] = 1;
            any = true;
        }
        return any ? mask : null;
    }

    private static void WriteJpeg(string path, byte[] pixels)
    {
        using var stream = File.Create(path);
        new ImageWriter().WriteJpg(pixels, W, H, ColorComponents.Grey, stream, 92);
    }
}
