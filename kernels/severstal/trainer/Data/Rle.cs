using System.Globalization;
using System.Numerics;
using System.Text;

namespace Severstal.Data;

/// <summary>
/// The competition's run-length encoding: "start length" pairs, 1-indexed, numbered top to bottom then left to right
/// (column-major). Masks here are row-major (index y * width + x), 1 = defect.
/// </summary>
public static class Rle
{
    public const int Height = 256;
    public const int Width = 1600;

    public static byte[] Decode(string rle, int height = Height, int width = Width)
    {
        var mask = new byte[height * width];
        DecodeInto(rle, mask, (false, false), height, width);
        return mask;
    }

    /// <summary>
    /// Decodes straight into <paramref name="mask"/> (row-major, cleared first), flipped as asked: no string split, no
    /// intermediate mask. Each run is walked column by column, so there is no division per pixel.
    /// </summary>
    public static void DecodeInto<T>(ReadOnlySpan<char> rle, Span<T> mask, (bool H, bool V) flip, int height = Height, int width = Width)
        where T : unmanaged, INumber<T>
    {
        if (mask.Length != height * width)
            throw new ArgumentException($"mask holds {mask.Length} values, not {height}x{width}");
        mask.Clear();
        var rowStep = flip.V ? -width : width;
        long previousEnd = 0;
        var position = 0;
        for (var pair = 1; ; pair++)
        {
            var start = Next(rle, ref position);
            if (start == Missing)
                return;
            var length = Next(rle, ref position);
            if (length == Missing)
                throw new FormatException($"RLE has an odd number of values ({2 * pair - 1})");
            if (start < 1 || length < 1)
                throw new FormatException($"RLE pair {pair} ('{Show(start)} {Show(length)}') is not two positive integers");
            if (start <= previousEnd)
                throw new FormatException($"RLE pair {pair} starts at {start}, inside or before the previous run");
            var end = start - 1 + length;
            if (end > (long)height * width)
                throw new FormatException($"RLE pair {pair} runs past the {height}x{width} image");
            int x = (int)((start - 1) / height), y = (int)((start - 1) % height);
            for (var left = (int)length; left > 0; x++, y = 0)
            {
                var count = Math.Min(left, height - y);
                var column = flip.H ? width - 1 - x : x;
                var index = (flip.V ? height - 1 - y : y) * width + column;
                for (var k = 0; k < count; k++, index += rowStep)
                    mask[index] = T.One;
                left -= count;
            }
            previousEnd = end;
        }
    }

    private static string Show(long value) => value == Invalid ? "(not digits)" : value.ToString(CultureInfo.InvariantCulture);

    private const long Missing = -1;
    private const long Invalid = -2;

    /// <summary>The next space-separated value; <see cref="Missing"/> at the end, <see cref="Invalid"/> (caught as not positive) for anything but digits.</summary>
    private static long Next(ReadOnlySpan<char> text, ref int position)
    {
        while (position < text.Length && text[position] == ' ')
            position++;
        if (position == text.Length)
            return Missing;
        long value = 0;
        var digits = 0;
        for (; position < text.Length && text[position] != ' '; position++, digits++)
        {
            var digit = text[position] - '0';
            if (digit is < 0 or > 9 || digits >= 12)
            {
                while (position < text.Length && text[position] != ' ')
                    position++;
                return Invalid;
            }
            value = value * 10 + digit;
        }
        return value;
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
