import { contract } from "./journeys.js";

contract("sandbox");
