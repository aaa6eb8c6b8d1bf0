using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// Checks the structure of an HDF5 file before the HDF5 library reads it, so that a damaged or hostile file costs
    /// little: the HDF5 library we use allocates whatever length a header field claims (an attribute, a link name, a
    /// global heap collection, a chunk) before it reads it. Every object header reachable from the root group is
    /// walked (HDF5 File Format Specification 3.0: superblock versions 0–3, object header versions 1 and 2 with their
    /// continuation blocks, symbol-table groups with their version-1 B-trees, local heaps and symbol nodes, compact
    /// links), and every length and address in the messages that matter — dataspace, datatype, data layout
    /// (compact, contiguous, chunked with a version-1 B-tree, a single chunk or a fixed array), attribute, link and
    /// global heap collection — is checked against its message and the file's length.
    /// </summary>
    /// <remarks>
    /// The check is structural only: it refuses what cannot be right (a block past the end of the file, a message
    /// longer than its header, a chunk larger than <see cref="MaxChunkRatio"/> times the file) and leaves everything
    /// else to the library, which also checks signatures and checksums. Structures it does not walk (dense link and
    /// attribute storage in fractal heaps, extensible-array and version-2 B-tree chunk indexes) have their
    /// addresses checked against the file only.
    /// </remarks>
    public sealed class Hdf5StructureCheck
    {
        /// <summary>A chunk may hold at most this many times the bytes of its file (compressed data; LZ4's limit is 255).</summary>
        public const long MaxChunkRatio = 1024;
        /// <summary>The largest metadata block read for the check.</summary>
        public const long MaxMetadataBlock = 16L << 20;
        private const int MaxObjects = 100_000;
        private const ulong Undefined = ulong.MaxValue;

        private readonly string _path;
        private readonly Stream _file;
        private readonly long _length;
        private long _base;
        private int _sizeOffsets = 8, _sizeLengths = 8, _groupK = 16, _chunkK = 32;
        private readonly HashSet<long> _seen = new HashSet<long>();
        private readonly Queue<long> _headers = new Queue<long>();
        private int _work;

        private Hdf5StructureCheck(string path, Stream file)
        {
            _path = path; _file = file; _length = file.Length;
        }

        /// <summary>Checks the file; throws <see cref="InvalidImageDataException"/> naming what is wrong.</summary>
        public static void Validate(string path)
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            new Hdf5StructureCheck(path, f).Run();
        }

        /// <summary>Checks an HDF5 file held in a stream (seekable).</summary>
        public static void Validate(string path, Stream file) => new Hdf5StructureCheck(path, file).Run();

        private Exception Bad(string message) => new InvalidImageDataException(_path, "the HDF5 structure is damaged: " + message);

        private byte[] Block(long address, long length, string what)
        {
            if (length < 0 || length > MaxMetadataBlock) throw Bad($"{what} claims {length} bytes.");
            if (address < 0 || address > _length || length > _length - address)
                throw Bad($"{what} ({length} bytes at {address}) runs past the end of the file ({_length} bytes).");
            if (++_work > 4 * MaxObjects) throw Bad("the file has more metadata blocks than any NeXus file needs.");
            var b = new byte[length];
            _file.Position = address;
            int read = 0;
            while (read < length)
            {
                int n = _file.Read(b, read, (int)length - read);
                if (n <= 0) throw Bad($"{what} at {address} cannot be read.");
                read += n;
            }
            return b;
        }

        private static ulong Unsigned(byte[] b, int at, int size)
        {
            ulong v = 0;
            for (int i = size - 1; i >= 0; i--) v = (v << 8) | b[at + i];
            return v;
        }

        /// <summary>An address field made absolute; −1 for the undefined address.</summary>
        private long Address(byte[] b, int at)
        {
            ulong v = Unsigned(b, at, _sizeOffsets);
            if (v == Undefined || (_sizeOffsets < 8 && v == (1UL << (8 * _sizeOffsets)) - 1)) return -1;
            if (v > (ulong)_length) throw Bad($"an address ({v}) lies past the end of the file ({_length} bytes).");
            return _base + (long)v;
        }

        private long Length(byte[] b, int at, string what)
        {
            ulong v = Unsigned(b, at, _sizeLengths);
            if (v > (ulong)_length * MaxChunkRatio + (4UL << 20)) throw Bad($"{what} claims {v} bytes in a file of {_length}.");
            return (long)v;
        }

        private static void Need(byte[] b, int at, int count, Func<Exception> bad)
        {
            if (at < 0 || count < 0 || at > b.Length - count) throw bad();
        }

        private void Run()
        {
            long sb = -1;
            var sig = new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };
            for (long at = 0; at + 8 <= _length; at = at == 0 ? 512 : at * 2)
            {
                var head = Block(at, 8, "the signature");
                bool match = true;
                for (int i = 0; i < 8; i++) if (head[i] != sig[i]) { match = false; break; }
                if (match) { sb = at; break; }
            }
            if (sb < 0) throw Bad("no superblock signature was found.");
            var s = Block(sb, Math.Min(_length - sb, 256), "the superblock");
            Need(s, 0, 12, () => Bad("the superblock is cut short."));
            int version = s[8];
            long root;
            if (version <= 1)
            {
                _sizeOffsets = s[13]; _sizeLengths = s[14];
                CheckSizes();
                _groupK = (int)Unsigned(s, 18, 2); int internalK = (int)Unsigned(s, 16, 2);
                if (_groupK == 0 || internalK == 0) throw Bad("the superblock's B-tree K values are 0.");
                _groupK = Math.Max(_groupK, internalK);
                int at = 24;
                if (version == 1) { _chunkK = (int)Unsigned(s, 24, 2); if (_chunkK == 0) throw Bad("the superblock's chunk B-tree K is 0."); at += 4; }
                Need(s, at, 4 * _sizeOffsets + 2 * _sizeOffsets + 24, () => Bad("the superblock is cut short."));
                _base = (long)Unsigned(s, at, _sizeOffsets);
                if (_base != sb && _base != 0) throw Bad($"the base address ({_base}) is not where the superblock is ({sb}).");
                _base = sb;
                CheckEnd(s, at + 2 * _sizeOffsets);
                // Root group symbol table entry: link name offset, object header address, cache type, scratch pad.
                int entry = at + 4 * _sizeOffsets;
                root = Address(s, entry + _sizeOffsets);
                if (Unsigned(s, entry + 2 * _sizeOffsets, 4) == 1)
                    SymbolTable(Address(s, entry + 2 * _sizeOffsets + 8), Address(s, entry + 3 * _sizeOffsets + 8));
            }
            else if (version == 2 || version == 3)
            {
                _sizeOffsets = s[9]; _sizeLengths = s[10];
                CheckSizes();
                Need(s, 12, 4 * _sizeOffsets + 4, () => Bad("the superblock is cut short."));
                _base = (long)Unsigned(s, 12, _sizeOffsets);
                if (_base != sb && _base != 0) throw Bad($"the base address ({_base}) is not where the superblock is ({sb}).");
                _base = sb;
                long extension = Address(s, 12 + _sizeOffsets);
                CheckEnd(s, 12 + 2 * _sizeOffsets);
                root = Address(s, 12 + 3 * _sizeOffsets);
                if (extension >= 0) Enqueue(extension);
            }
            else throw Bad($"superblock version {version} is not one HDF5 defines.");
            if (root < 0) throw Bad("the root group has no object header.");
            Enqueue(root);
            while (_headers.Count > 0) ObjectHeader(_headers.Dequeue());
            GlobalHeaps();
        }

        private void CheckSizes()
        {
            if (_sizeOffsets != 2 && _sizeOffsets != 4 && _sizeOffsets != 8) throw Bad($"the size of offsets is {_sizeOffsets} bytes.");
            if (_sizeLengths != 2 && _sizeLengths != 4 && _sizeLengths != 8) throw Bad($"the size of lengths is {_sizeLengths} bytes.");
        }

        /// <summary>The end-of-file address must not lie past the file: a shorter file was cut.</summary>
        private void CheckEnd(byte[] s, int at)
        {
            ulong end = Unsigned(s, at, _sizeOffsets);
            if (end != Undefined && (long)end + _base > _length)
                throw Bad($"the file should be {(long)end + _base} bytes long but has {_length}: it was cut short.");
        }

        private void Enqueue(long address)
        {
            if (address < 0) return;
            if (_seen.Add(address))
            {
                if (_seen.Count > MaxObjects) throw Bad("the file has more objects than any NeXus file needs.");
                _headers.Enqueue(address);
            }
        }

        /// <summary>What the messages of one object header say about its data.</summary>
        private sealed class ObjectInfo
        {
            public long Elements = 1;
            public long TypeSize = -1;
        }

        private void ObjectHeader(long address)
        {
            var head = Block(address, Math.Min(16, _length - address), "an object header");
            var info = new ObjectInfo();
            var messages = new List<(int Type, byte[] Data)>();
            if (head.Length >= 4 && head[0] == 'O' && head[1] == 'H' && head[2] == 'D' && head[3] == 'R')
            {
                Need(head, 0, 6, () => Bad($"the object header at {address} is cut short."));
                if (head[4] != 2) throw Bad($"the object header at {address} has version {head[4]}.");
                int flags = head[5];
                int at = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
                int sizeBytes = 1 << (flags & 3);
                var prefix = Block(address, at + sizeBytes, "an object header");
                long chunk0 = (long)Unsigned(prefix, at, sizeBytes);
                var chunk = Block(address + at + sizeBytes, chunk0 + 4, "an object header's first chunk");
                MessagesV2(chunk, 0, (int)chunk0, (flags & 0x04) != 0, messages);
            }
            else
            {
                if (head.Length < 16 || head[0] != 1) throw Bad($"the object header at {address} has version {(head.Length > 0 ? head[0] : -1)}.");
                long size = (long)Unsigned(head, 8, 4);
                var chunk = Block(address + 16, size, "an object header");
                MessagesV1(chunk, messages);
            }
            // Continuation blocks (message 0x10) add more messages; each is read once.
            for (int m = 0; m < messages.Count; m++)
            {
                var (type, data) = messages[m];
                if (type != 0x10) continue;
                Need(data, 0, _sizeOffsets + _sizeLengths, () => Bad($"a continuation message at {address} is cut short."));
                long at = Address(data, 0);
                long length = Length(data, _sizeOffsets, "an object header continuation");
                if (at < 0 || !_seen.Add(-at - 1)) continue;
                var block = Block(at, length, "an object header continuation");
                if (block.Length >= 4 && block[0] == 'O' && block[1] == 'C' && block[2] == 'H' && block[3] == 'K')
                    MessagesV2(block, 4, block.Length - 4, head.Length > 5 && (head[5] & 0x04) != 0, messages);
                else MessagesV1(block, messages);
                if (messages.Count > 65536) throw Bad($"the object header at {address} has more than 65536 messages.");
            }
            foreach (var (type, data) in messages) Message(address, type, data, info);
        }

        private void MessagesV1(byte[] chunk, List<(int, byte[])> messages)
        {
            int at = 0;
            while (at + 8 <= chunk.Length)
            {
                int type = (int)Unsigned(chunk, at, 2), size = (int)Unsigned(chunk, at + 2, 2);
                at += 8;
                if (size > chunk.Length - at) throw Bad($"a message of {size} bytes runs past its object header.");
                messages.Add((type, Slice(chunk, at, size)));
                at += size;
                if (messages.Count > 65536) throw Bad("an object header has more than 65536 messages.");
            }
        }

        private void MessagesV2(byte[] chunk, int start, int end, bool creationOrder, List<(int, byte[])> messages)
        {
            int header = creationOrder ? 6 : 4;
            int at = start;
            while (at + header <= end)
            {
                int type = chunk[at], size = (int)Unsigned(chunk, at + 1, 2);
                at += header;
                if (size > end - at) throw Bad($"a message of {size} bytes runs past its object header chunk.");
                messages.Add((type, Slice(chunk, at, size)));
                at += size;
                if (messages.Count > 65536) throw Bad("an object header has more than 65536 messages.");
            }
        }

        private static byte[] Slice(byte[] b, int at, int size)
        {
            var s = new byte[size];
            Buffer.BlockCopy(b, at, s, 0, size);
            return s;
        }

        private void Message(long header, int type, byte[] d, ObjectInfo info)
        {
            Func<Exception> cut = () => Bad($"a message (type {type}) of the object at {header} is cut short.");
            switch (type)
            {
                case 0x01: info.Elements = Dataspace(d, 0, d.Length, cut); break;
                case 0x03: info.TypeSize = Datatype(d, 0, d.Length, cut).Size; break;
                case 0x08: Layout(d, info, cut); break;
                case 0x0C: Attribute(d, cut); break;
                case 0x04: // fill value (old): its size, then the value
                {
                    Need(d, 0, 4, cut);
                    long size = (long)Unsigned(d, 0, 4);
                    if (size > d.Length - 4) throw Bad($"a fill value of {size} bytes does not fit its {d.Length}-byte message.");
                    break;
                }
                case 0x05: // fill value: versions 1–2 state whether a value follows, version 3 a flag bit
                {
                    Need(d, 0, 2, cut);
                    int version = d[0], at;
                    bool defined;
                    if (version == 3) { defined = (d[1] & 0x20) != 0; at = 2; }
                    else { Need(d, 0, 4, cut); defined = d[3] != 0; at = 4; }
                    if (!defined) break;
                    Need(d, at, 4, cut);
                    long size = (long)Unsigned(d, at, 4);
                    if (size > d.Length - at - 4) throw Bad($"a fill value of {size} bytes does not fit its {d.Length}-byte message.");
                    break;
                }
                case 0x06: Link(d, cut); break;
                case 0x11:
                    Need(d, 0, 2 * _sizeOffsets, cut);
                    SymbolTable(Address(d, 0), Address(d, _sizeOffsets));
                    break;
                case 0x02: // link info: fractal heap and name index addresses
                case 0x15: // attribute info
                {
                    Need(d, 0, 2, cut);
                    int at = 2 + ((d[1] & 1) != 0 ? 8 : 0);
                    if (type == 0x15) at = 2 + ((d[1] & 1) != 0 ? 2 : 0);
                    Need(d, at, 2 * _sizeOffsets, cut);
                    long heap = Address(d, at);
                    if (heap >= 0) Block(heap, Math.Min(16, _length - heap), "a fractal heap");
                    break;
                }
            }
        }

        /// <summary>A dataspace: its element count (checked for overflow).</summary>
        private long Dataspace(byte[] d, int at, int length, Func<Exception> cut)
        {
            Need(d, at, Math.Min(length, 4), cut);
            if (length < 4) throw cut();
            int version = d[at], rank = d[at + 1], flags = d[at + 2];
            if (version < 1 || version > 2) throw Bad($"a dataspace has version {version}.");
            if (rank > 32) throw Bad($"a dataspace has rank {rank}.");
            int dims = at + (version == 1 ? 8 : 4);
            int need = rank * _sizeLengths * ((flags & 1) != 0 ? 2 : 1);
            if (dims - at + need > length) throw cut();
            Need(d, dims, need, cut);
            long elements = 1;
            for (int i = 0; i < rank; i++)
            {
                ulong n = Unsigned(d, dims + i * _sizeLengths, _sizeLengths);
                if (n > long.MaxValue / 2 || (n > 0 && elements > long.MaxValue / 2 / (long)n)) throw Bad($"a dataspace claims more than 2^62 elements.");
                elements *= (long)n;
            }
            if (version == 2 && d[at + 3] == 0) elements = 1;        // scalar
            if (version == 2 && d[at + 3] == 2) elements = 0;        // null
            return elements;
        }

        /// <summary>A datatype: its size in bytes and whether it is variable-length.</summary>
        private (long Size, bool Variable) Datatype(byte[] d, int at, int length, Func<Exception> cut)
        {
            if (length < 8) throw cut();
            Need(d, at, 8, cut);
            int cls = d[at] & 0x0F;
            long size = (long)Unsigned(d, at + 4, 4);
            if (size == 0 && cls != 9) throw Bad("a datatype has size 0.");
            if (size > (1 << 20)) throw Bad($"a datatype claims {size} bytes per element.");
            return (size, cls == 9);
        }

        private void Layout(byte[] d, ObjectInfo info, Func<Exception> cut)
        {
            Need(d, 0, 2, cut);
            int version = d[0];
            if (version < 3) return;                                  // versions 1–2: left to the library
            int cls = d[1];
            long data = info.TypeSize > 0 ? Math.Max(0, info.Elements) * info.TypeSize : 0;
            if (info.TypeSize > 0 && info.Elements > 0 && data / info.TypeSize != info.Elements) throw Bad("a dataset's size overflows.");
            // Stored data, compressed or not, comes from this file: a dataset cannot hold more than the chunk bound of it
            // (a lying dimension would otherwise make a reader size its frame list or buffers by it).
            long limit = MaxChunkRatio * _length + (4L << 20);
            if (cls <= 2 && data > limit) throw Bad($"a dataset claims {data} bytes in a file of {_length}.");
            switch (cls)
            {
                case 0:
                {
                    Need(d, 2, 2, cut);
                    int size = (int)Unsigned(d, 2, 2);
                    Need(d, 4, size, cut);
                    if (data > size) throw Bad($"a compact dataset of {data} bytes holds {size}.");
                    break;
                }
                case 1:
                {
                    Need(d, 2, _sizeOffsets + _sizeLengths, cut);
                    long at = Address(d, 2);
                    long size = (long)Unsigned(d, 2 + _sizeOffsets, _sizeLengths);
                    if (at >= 0 && (size < 0 || size > _length - at)) throw Bad($"a contiguous dataset of {size} bytes at {at} runs past the end of the file.");
                    if (at >= 0 && data > size) throw Bad($"a contiguous dataset of {data} bytes has {size} in the file.");
                    break;
                }
                case 2 when version == 3:
                {
                    Need(d, 2, 1 + _sizeOffsets, cut);
                    int rank = d[2];
                    long tree = Address(d, 3);
                    Need(d, 3 + _sizeOffsets, rank * 4, cut);
                    long chunk = ChunkBytes(d, 3 + _sizeOffsets, rank, 4);
                    if (tree >= 0) ChunkTree(tree, rank, chunk, 0);
                    break;
                }
                case 2:
                {
                    Need(d, 2, 3, cut);
                    int flags = d[2], rank = d[3], enc = d[4];
                    if (enc < 1 || enc > 8) throw Bad($"a chunked layout encodes dimensions in {enc} bytes.");
                    Need(d, 5, rank * enc + 1, cut);
                    long chunk = ChunkBytes(d, 5, rank, enc);
                    int at = 5 + rank * enc;
                    int index = d[at++];
                    long filtered = -1;
                    switch (index)
                    {
                        case 1:
                            if ((flags & 2) != 0) { Need(d, at, _sizeLengths + 4, cut); filtered = (long)Unsigned(d, at, _sizeLengths); at += _sizeLengths + 4; }
                            break;
                        case 2: break;
                        case 3: at += 1; break;
                        case 4: at += 5; break;
                        case 5: at += 6; break;
                        default: throw Bad($"a chunked layout has index type {index}.");
                    }
                    Need(d, at, _sizeOffsets, cut);
                    long address = Address(d, at);
                    if (address < 0) break;
                    if (index == 1)
                    {
                        long size = filtered >= 0 ? filtered : chunk;
                        if (size > _length - address) throw Bad($"a chunk of {size} bytes at {address} runs past the end of the file.");
                    }
                    else if (index == 2) { if (data > _length - address) throw Bad($"a dataset of {data} bytes at {address} runs past the end of the file."); }
                    else if (index == 3) FixedArray(address, chunk);
                    else Block(address, Math.Min(16, _length - address), "a chunk index");
                    break;
                }
            }
        }

        /// <summary>The bytes of one chunk (the last dimension is the element size), bounded by the file.</summary>
        private long ChunkBytes(byte[] d, int at, int rank, int size)
        {
            if (rank < 1 || rank > 33) throw Bad($"a chunk has {rank} dimensions.");
            long bytes = 1;
            long limit = MaxChunkRatio * _length + (4L << 20);
            for (int i = 0; i < rank; i++)
            {
                ulong n = Unsigned(d, at + i * size, size);
                if (n == 0) throw Bad("a chunk dimension is 0.");
                if (n > (ulong)limit || bytes > limit / (long)n) throw Bad($"a chunk claims more than {limit} bytes in a file of {_length}.");
                bytes *= (long)n;
            }
            return bytes;
        }

        /// <summary>A version-1 B-tree of chunks: nodes in the file, each chunk's stored size within the file and the chunk limit.</summary>
        private void ChunkTree(long address, int rank, long chunk, int depth)
        {
            if (depth > 32) throw Bad("a chunk B-tree is deeper than 32 levels.");
            int key = 8 + 8 * rank;
            long size = 8 + 2 * _sizeOffsets + (2L * _chunkK + 1) * key + 2L * _chunkK * _sizeOffsets;
            var n = Block(address, Math.Min(size, _length - address), "a chunk B-tree node");
            Need(n, 0, 8 + 2 * _sizeOffsets, () => Bad($"the B-tree node at {address} is cut short."));
            if (n[0] != 'T' || n[1] != 'R' || n[2] != 'E' || n[3] != 'E' || n[4] != 1) return;  // the library refuses it
            int level = n[5], used = (int)Unsigned(n, 6, 2);
            if (used > 2 * _chunkK) throw Bad($"a B-tree node holds {used} entries; at most {2 * _chunkK} fit.");
            int at = 8 + 2 * _sizeOffsets;
            for (int i = 0; i < used; i++)
            {
                Need(n, at, key + _sizeOffsets, () => Bad($"the B-tree node at {address} is cut short."));
                long stored = (long)Unsigned(n, at, 4);
                long child = Address(n, at + key);
                at += key + _sizeOffsets;
                if (child < 0) continue;
                if (level == 0)
                {
                    if (stored > _length - child) throw Bad($"a chunk of {stored} bytes at {child} runs past the end of the file.");
                }
                else if (_seen.Add(-child - 1)) ChunkTree(child, rank, chunk, depth + 1);
            }
        }

        /// <summary>A fixed-array chunk index: header and data block in the file, each chunk within the file.</summary>
        private void FixedArray(long address, long chunk)
        {
            var h = Block(address, Math.Min(12 + _sizeLengths + _sizeOffsets + 4, _length - address), "a fixed array header");
            if (h.Length < 12 + _sizeLengths + _sizeOffsets || h[0] != 'F' || h[1] != 'A' || h[2] != 'H' || h[3] != 'D') return;
            int client = h[5], entry = h[6], pageBits = h[7];
            ulong count = Unsigned(h, 8, _sizeLengths);
            if (entry < _sizeOffsets) throw Bad($"a fixed array entry of {entry} bytes cannot hold an address.");
            if (count > (ulong)(_length / entry)) throw Bad($"a fixed array claims {count} entries of {entry} bytes in a file of {_length}.");
            long block = Address(h, 8 + _sizeLengths);
            if (block < 0) return;
            bool paged = pageBits < 32 && count > (1UL << pageBits);
            long prefix = 6 + _sizeOffsets;
            var b = Block(block, Math.Min(prefix + (long)count * entry, _length - block), "a fixed array data block");
            if (paged || b.Length < 4 || b[0] != 'F' || b[1] != 'A' || b[2] != 'D' || b[3] != 'B') return;
            for (long i = 0; i < (long)count; i++)
            {
                int at = (int)(prefix + i * entry);
                if (at + entry > b.Length) throw Bad($"the fixed array at {block} is cut short.");
                long chunkAt = Address(b, at);
                if (chunkAt < 0) continue;
                long size = chunk;
                if (client == 1)
                {
                    int sizeBytes = entry - _sizeOffsets - 4;
                    if (sizeBytes < 1 || sizeBytes > 8) throw Bad($"a filtered chunk entry of {entry} bytes has no room for its size.");
                    size = (long)Unsigned(b, at + _sizeOffsets, sizeBytes);
                }
                if (size > _length - chunkAt) throw Bad($"a chunk of {size} bytes at {chunkAt} runs past the end of the file.");
            }
        }

        private void Attribute(byte[] d, Func<Exception> cut)
        {
            Need(d, 0, 8, cut);
            int version = d[0];
            if (version < 1 || version > 3) throw Bad($"an attribute message has version {version}.");
            int nameSize = (int)Unsigned(d, 2, 2), typeSize = (int)Unsigned(d, 4, 2), spaceSize = (int)Unsigned(d, 6, 2);
            int at = version == 3 ? 9 : 8;
            int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
            if ((long)at + Pad(nameSize) + Pad(typeSize) + Pad(spaceSize) > d.Length)
                throw Bad($"an attribute's name ({nameSize} bytes), type ({typeSize}) and dataspace ({spaceSize}) do not fit its {d.Length}-byte message.");
            // A shared datatype or dataspace is a reference to another message: only the sizes are checked here.
            if (version >= 2 && (d[1] & 3) != 0) return;
            at += Pad(nameSize);
            var (size, variable) = Datatype(d, at, typeSize, cut);
            at += Pad(typeSize);
            long elements = Dataspace(d, at, spaceSize, cut);
            at += Pad(spaceSize);
            long each = variable ? 4 + _sizeOffsets + 4 : size;
            if (elements > 0 && (elements > (d.Length - at) / Math.Max(1, each)))
                throw Bad($"an attribute of {elements} elements of {each} bytes does not fit its {d.Length}-byte message.");
            if (!variable) return;
            for (long i = 0; i < elements; i++)
            {
                int e = at + (int)(i * each);
                long heap = Address(d, e + 4);
                if (heap < 0) continue;
                GlobalHeapCollection(heap);
            }
        }

        private void Link(byte[] d, Func<Exception> cut)
        {
            Need(d, 0, 2, cut);
            if (d[0] != 1) throw Bad($"a link message has version {d[0]}.");
            int flags = d[1], at = 2, type = 0;
            if ((flags & 0x08) != 0) { Need(d, at, 1, cut); type = d[at++]; }
            if ((flags & 0x04) != 0) at += 8;
            if ((flags & 0x10) != 0) at += 1;
            int lengthBytes = 1 << (flags & 3);
            Need(d, at, lengthBytes, cut);
            ulong name = Unsigned(d, at, lengthBytes);
            at += lengthBytes;
            if (name == 0 || name > (ulong)(d.Length - at)) throw Bad($"a link name of {name} bytes does not fit its {d.Length}-byte message.");
            at += (int)name;
            if (type == 0) { Need(d, at, _sizeOffsets, cut); Enqueue(Address(d, at)); }
            else
            {
                Need(d, at, 2, cut);
                int info = (int)Unsigned(d, at, 2);
                Need(d, at + 2, info, cut);
            }
        }

        /// <summary>A symbol-table group: its local heap and the B-tree of symbol nodes, whose entries are walked.</summary>
        private void SymbolTable(long tree, long heap)
        {
            long heapSize = long.MaxValue;
            if (heap >= 0 && _seen.Add(-heap - 1))
            {
                var h = Block(heap, Math.Min(8 + 2 * _sizeLengths + _sizeOffsets, _length - heap), "a local heap");
                if (h.Length >= 8 + 2 * _sizeLengths + _sizeOffsets && h[0] == 'H' && h[1] == 'E' && h[2] == 'A' && h[3] == 'P')
                {
                    heapSize = Length(h, 8, "a local heap");
                    long data = Address(h, 8 + 2 * _sizeLengths);
                    if (data >= 0 && heapSize > _length - data) throw Bad($"a local heap of {heapSize} bytes at {data} runs past the end of the file.");
                }
            }
            if (tree >= 0) GroupTree(tree, heapSize, 0);
        }

        private void GroupTree(long address, long heapSize, int depth)
        {
            if (depth > 32) throw Bad("a group B-tree is deeper than 32 levels.");
            if (!_seen.Add(-address - 1)) return;
            long size = 8 + 2 * _sizeOffsets + (2L * _groupK + 1) * _sizeLengths + 2L * _groupK * _sizeOffsets;
            var n = Block(address, Math.Min(size, _length - address), "a group B-tree node");
            if (n.Length < 8 + 2 * _sizeOffsets || n[0] != 'T' || n[1] != 'R' || n[2] != 'E' || n[3] != 'E' || n[4] != 0) return;
            int level = n[5], used = (int)Unsigned(n, 6, 2);
            if (used > 2 * _groupK) throw Bad($"a B-tree node holds {used} entries; at most {2 * _groupK} fit.");
            int at = 8 + 2 * _sizeOffsets + _sizeLengths;
            for (int i = 0; i < used; i++)
            {
                Need(n, at, _sizeOffsets + _sizeLengths, () => Bad($"the B-tree node at {address} is cut short."));
                long child = Address(n, at);
                at += _sizeOffsets + _sizeLengths;
                if (child < 0) continue;
                if (level > 0) GroupTree(child, heapSize, depth + 1);
                else SymbolNode(child, heapSize);
            }
        }

        private void SymbolNode(long address, long heapSize)
        {
            if (!_seen.Add(-address - 1)) return;
            int entry = 2 * _sizeOffsets + 24;
            var head = Block(address, Math.Min(8, _length - address), "a symbol table node");
            if (head.Length < 8 || head[0] != 'S' || head[1] != 'N' || head[2] != 'O' || head[3] != 'D') return;
            int count = (int)Unsigned(head, 6, 2);
            if (count > 2 * _groupK) throw Bad($"a symbol table node holds {count} entries; at most {2 * _groupK} fit.");
            var n = Block(address + 8, (long)count * entry, "a symbol table node");
            for (int i = 0; i < count; i++)
            {
                int at = i * entry;
                ulong name = Unsigned(n, at, _sizeOffsets);
                if (heapSize != long.MaxValue && name >= (ulong)heapSize) throw Bad($"a symbol's name lies at {name} in a local heap of {heapSize} bytes.");
                Enqueue(Address(n, at + _sizeOffsets));
                if (Unsigned(n, at + 2 * _sizeOffsets, 4) == 1)
                    SymbolTable(Address(n, at + 2 * _sizeOffsets + 8), Address(n, at + 3 * _sizeOffsets + 8));
            }
        }

        private readonly HashSet<long> _collections = new HashSet<long>();

        /// <summary>A global heap collection (variable-length data): its size within the file and its objects within it.</summary>
        private void GlobalHeapCollection(long address)
        {
            if (!_collections.Add(address)) return;
            if (_collections.Count > MaxObjects) throw Bad("the file has more global heap collections than any NeXus file needs.");
            var h = Block(address, Math.Min(8 + _sizeLengths, _length - address), "a global heap collection");
            if (h.Length < 8 + _sizeLengths || h[0] != 'G' || h[1] != 'C' || h[2] != 'O' || h[3] != 'L') return;
            long size = Length(h, 8, "a global heap collection");
            if (size < 8 + _sizeLengths || size > _length - address) throw Bad($"a global heap collection of {size} bytes at {address} runs past the end of the file.");
            var c = Block(address, size, "a global heap collection");
            long at = 8 + _sizeLengths;
            while (at + 8 + _sizeLengths <= size)
            {
                int index = (int)Unsigned(c, (int)at, 2);
                long objectSize = (long)Unsigned(c, (int)at + 8, _sizeLengths);
                if (index == 0) break;                                // free space to the end
                if (objectSize > size - at - 8 - _sizeLengths) throw Bad($"a global heap object of {objectSize} bytes runs past its {size}-byte collection.");
                at += 8 + _sizeLengths + ((objectSize + 7) & ~7L);
            }
        }

        /// <summary>Collections found by their signature (references to them may sit in raw data we do not walk).</summary>
        private void GlobalHeaps()
        {
            if (_length > MaxMetadataBlock) return;                   // large files: collections referenced by attributes were checked
            var all = Block(0, _length, "the file");
            for (int i = 0; i + 4 <= all.Length; i++)
                if (all[i] == 'G' && all[i + 1] == 'C' && all[i + 2] == 'O' && all[i + 3] == 'L' && i + 5 <= all.Length && all[i + 4] == 1)
                    GlobalHeapCollection(i);
        }
    }
}
