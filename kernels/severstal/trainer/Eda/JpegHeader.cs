namespace Severstal.Eda;

/// <summary>
/// Size and channel count of a JPEG from its frame header (SOFn marker), without decoding: the number of components
/// as stored (1 = gray, 3 = colour), which decoders that convert on the fly do not report.
/// </summary>
public static class JpegHeader
{
    public static (int Width, int Height, int Channels)? Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (stream.Length < 4 || reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8)
            return null; // no start-of-image marker
        while (stream.Position + 4 <= stream.Length)
        {
            if (reader.ReadByte() != 0xFF)
                return null;
            var marker = reader.ReadByte();
            while (marker == 0xFF && stream.Position < stream.Length) // fill bytes
                marker = reader.ReadByte();
            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7)
                continue; // markers without a length
            if (stream.Position + 2 > stream.Length)
                return null;
            var length = reader.ReadByte() << 8 | reader.ReadByte();
            if (length < 2)
                return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (stream.Position + 6 > stream.Length)
                    return null;
                reader.ReadByte(); // sample precision
                var height = reader.ReadByte() << 8 | reader.ReadByte();
                var width = reader.ReadByte() << 8 | reader.ReadByte();
                return (width, height, reader.ReadByte());
            }
            if (marker == 0xDA) // start of scan before any frame header
                return null;
            stream.Position += length - 2;
        }
        return null;
    }
}
