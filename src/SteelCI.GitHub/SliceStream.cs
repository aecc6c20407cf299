namespace SteelCI.GitHub;

/// <summary>A read-only window of a file, so a part of a multi-GiB file uploads or hashes without a copy.</summary>
internal sealed class SliceStream : Stream
{
    private readonly FileStream file;
    private readonly long offset;
    private readonly long length;
    private long position;

    public SliceStream(string path, long offset, long length)
    {
        file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (offset + length > file.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"{path}: the slice {offset}+{length} passes the end ({file.Length} bytes)");
        this.offset = offset;
        this.length = length;
        file.Position = offset;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            position = Math.Min(value, length);
            file.Position = offset + position;
        }
    }

    public override int Read(byte[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<byte> buffer)
    {
        var read = file.Read(buffer[..(int)Math.Min(buffer.Length, length - position)]);
        position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - position)], cancellationToken);
        position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int index, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(index, count), cancellationToken).AsTask();

    public override long Seek(long delta, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => delta,
        SeekOrigin.Current => position + delta,
        _ => length + delta,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int index, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            file.Dispose();
        base.Dispose(disposing);
    }
}
