-- The staff database beside the tracker store (POSTGRES_DB), owned by the same role.
CREATE DATABASE beu_staff OWNER beu;
