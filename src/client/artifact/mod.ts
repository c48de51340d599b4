/**
 * Task artifacts: the `artifact` block's http(s) and local sources, checksums,
 * and tar / tar.gz / zip / gz unpacking, sandboxed to the allocation directory.
 *
 * @example
 * ```ts ignore
 * import { artifactRequest, getArtifact } from "./mod.ts";
 * const request = artifactRequest(artifact, { paths, expand: (s) => s });
 * await getArtifact(request, { allocDir: "/var/nomad/alloc/<id>" });
 * ```
 */

export {
  type Checksum,
  CHECKSUM_TYPES,
  checksumFromFile,
  type ChecksumType,
  hashFile,
  parseChecksum,
} from "./checksum.ts";
export {
  ARTIFACT_DOWNLOAD_TIMEOUT_MS,
  getArtifact,
  type GetArtifactOptions,
  MAX_ARTIFACT_DOWNLOAD_BYTES,
} from "./get.ts";
export {
  ArtifactSandboxError,
  entryPath,
  inspectSymlinks,
  isWithin,
  MAX_ARTIFACT_ENTRIES,
  MAX_ARTIFACT_UNPACKED_BYTES,
  SafeDir,
} from "./safe_dir.ts";
export {
  archiveOf,
  type ArchiveType,
  ArtifactConfigError,
  artifactDestination,
  type ArtifactMode,
  type ArtifactPaths,
  type ArtifactRequest,
  artifactRequest,
} from "./source.ts";
export { untar } from "./tar.ts";
export { crc32, unzip, zipEntries, type ZipEntry } from "./zip.ts";
