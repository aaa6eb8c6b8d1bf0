using System;
using System.Collections.Generic;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// Finds the external links of an HDF5 file by their encoding as Link messages (HDF5 File Format
    /// Specification, object header message 0x0006, version 1, link type 64): the link name, the target file
    /// and the object path in it. Used for NeXus masters whose /entry/data/data_00000N links the HDF5 library we
    /// use does not list; every candidate is checked field by field, so stray bytes are not taken for links.
    /// </summary>
    public static class Hdf5ExternalLinks
    {
        public sealed class Link
        {
            public Link(string name, string file, string objectPath) { Name = name; File = file; ObjectPath = objectPath; }
            public string Name { get; }
            public string File { get; }
            public string ObjectPath { get; }
            public override string ToString() => $"{Name} -> {File}:{ObjectPath}";
        }

        public static List<Link> Find(ReadOnlySpan<byte> file)
        {
            var found = new List<Link>();
            var seen = new HashSet<string>();
            for (int p = 0; p + 8 < file.Length; p++)
            {
                if (file[p] != 1) continue;
                byte flags = file[p + 1];
                if ((flags & 0x08) == 0 || (flags & 0xE0) != 0) continue;
                int q = p + 2;
                if (file[q] != 64) continue;                        // link type: external
                q++;
                if ((flags & 0x04) != 0) q += 8;                    // creation order
                if ((flags & 0x10) != 0) { if (q >= file.Length || file[q] > 1) continue; q++; }   // character set
                int lengthBytes = 1 << (flags & 3);
                if (q + lengthBytes > file.Length) continue;
                long nameLength = 0;
                for (int b = lengthBytes - 1; b >= 0; b--) nameLength = (nameLength << 8) | file[q + b];
                q += lengthBytes;
                if (nameLength < 1 || nameLength > 1024 || q + nameLength + 3 > file.Length) continue;
                var name = file.Slice(q, (int)nameLength);
                if (!Printable(name)) continue;
                q += (int)nameLength;
                int infoLength = file[q] | file[q + 1] << 8;
                q += 2;
                if (infoLength < 4 || q + infoLength > file.Length || (file[q] & 0xF0) != 0) continue;
                var info = file.Slice(q + 1, infoLength - 1);
                int z1 = info.IndexOf((byte)0);
                if (z1 < 1) continue;
                int z2 = info.Slice(z1 + 1).IndexOf((byte)0);
                if (z2 < 1 || z1 + 1 + z2 + 1 != info.Length) continue;
                var target = info.Slice(0, z1);
                var path = info.Slice(z1 + 1, z2);
                if (!Printable(target) || !Printable(path)) continue;
                var link = new Link(Encoding.UTF8.GetString(name.ToArray()), Encoding.UTF8.GetString(target.ToArray()), Encoding.UTF8.GetString(path.ToArray()));
                if (seen.Add(link.ToString())) found.Add(link);
                p = q + infoLength - 1;
            }
            return found;
        }

        private static bool Printable(ReadOnlySpan<byte> s)
        {
            foreach (byte b in s) if (b < 0x20 || b == 0x7F) return false;
            return true;
        }
    }
}
