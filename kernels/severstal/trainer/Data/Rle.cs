using System.Globalization;
using System.Text;

namespace Severstal.Data;

/// <summary>
/// The competition's run-length encoding: "start length" pairs, 1-indexed, numbered top to bottom then left to right
/// (column-major). Masks here are row-major byte arrays (index y * width + x), 1 = defect.
/// </summary>
public static class Rle
{
    public const int Height = 256;
    public const int Width = 1600;

    public static byte[] Decode(string rle, int height = Height, int width = Width)
    {
        var mask = new byte[height * width];
        var parts = rle.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 2 != 0)
            throw new FormatException($"RLE has an odd number of values ({parts.Length})");
        long previousEnd = 0;
        for (var i = 0; i < parts.Length; i += 2)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
                !long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                start < 1 || length < 1)
                throw new FormatException($"RLE pair {i / 2 + 1} ('{parts[i]} {parts[i + 1]}') is not two positive integers");
            if (start <= previousEnd)
                throw new FormatException($"RLE pair {i / 2 + 1} starts at {start}, inside or before the previous run");
            var end = start - 1 + length;
            if (end > (long)height * width)
                throw new FormatException($"RLE pair {i / 2 + 1} runs past the {height}x{width} image");
            for (var p = start - 1; p < end; p++)
                mask[(int)(p % height) * width + (int)(p / height)] = 1;
            previousEnd = end;
        }
        return mask;
    }

    public static string Encode(byte[] mask, int height = Height, int width = Width)
    {
        var text = new StringBuilder();
        var runStart = -1;
        var position = 0;
        for (var x = 0; x < width; x++)
        for (var y = 0; y < height; y++, position++)
        {
            var on = mask[y * width + x] != 0;
            if (on && runStart < 0)
                runStart = position;
            else if (!on && runStart >= 0)
            {
                Append(text, runStart, position - runStart);
                runStart = -1;
            }
        }
        if (runStart >= 0)
            Append(text, runStart, position - runStart);
        return text.ToString();
    }

    private static void Append(StringBuilder text, int start, int length)
    {
        if (text.Length > 0)
            text.Append(' ');
        text.Append(CultureInfo.InvariantCulture, $"{start + 1} {length}");
    }
}
